"""POST /api/v1/moderation/authors/export (admins): the subject-access export, streamed."""
from flask import Response, stream_with_context
from flask.views import MethodView

from moderation.privacy import schemas, service
from moderation.ratelimit import RateLimit, per_api_key
from moderation.review.schemas import AuthorRef
from moderation.schemas import ErrorSchema
from moderation.web import Blueprint, principal, require, runtime, transaction

blp = Blueprint("privacy", __name__, description="Readers' rights: the subject-access export (admins)",
                rate_limits=[RateLimit("moderation_per_key", per_api_key, scope="moderation")])


@blp.route("/authors/export")
class Export(MethodView):
    @require(blp, "admin")
    @blp.arguments(AuthorRef())
    @blp.response(200, schemas.ExportOut())
    @blp.alt_response(422, schema=ErrorSchema)
    def post(self, args: dict):
        """Everything stored about an author (GDPR art. 15, FADP art. 25), as one JSON document:
        their comments with status and scores, the reports they filed, their ban and the audit
        entries about them. Streamed: any number of comments. The export itself is logged."""
        rt, author_id = runtime(), args["author_id"]
        with transaction() as session:
            service.record_export(session, author_id, principal().name, rt.now())

        def document():
            with rt.db.transaction(write=False) as session:
                yield from service.export_author(session, author_id, rt.now())

        return Response(stream_with_context(document()), mimetype="application/json")
