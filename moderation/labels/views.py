from flask.views import MethodView

from moderation.labels import schemas, service
from moderation.web import Blueprint, require, transaction

blp = Blueprint("model_report", __name__, description="How well the model agrees with the moderators (admins)")


@blp.route("/admin/model-report")
class ModelReport(MethodView):
    @require(blp, "admin")
    @blp.arguments(schemas.ReportArgs(), location="query")
    @blp.response(200, schemas.ModelReportOut())
    def get(self, args: dict):
        """Per model and language: labels, ROC AUC, average precision and thresholds from moderators' decisions."""
        with transaction(write=False) as session:
            return service.report(session, since=args["since"], language=args["language"])
