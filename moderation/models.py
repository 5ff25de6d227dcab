"""Imports every model so that the metadata (and Alembic) sees all tables."""
from moderation.articles.models import Article
from moderation.audit.models import AuditEntry
from moderation.auth.models import ApiKey
from moderation.comments.models import Comment
from moderation.events.models import DomainEvent
from moderation.labels.models import ModelLabel
from moderation.review.models import BannedAuthor, Report
from moderation.scoring.models import CommentScore

__all__ = ["Article", "AuditEntry", "ApiKey", "Comment", "BannedAuthor", "Report", "CommentScore", "DomainEvent",
           "ModelLabel"]
