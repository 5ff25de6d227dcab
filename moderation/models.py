"""Imports every model so that the metadata (and Alembic) sees all tables."""
from moderation.articles.models import Article
from moderation.audit.models import AuditEntry
from moderation.auth.models import ApiKey
from moderation.comments.models import Comment
from moderation.events.models import DomainEvent
from moderation.review.models import BannedAuthor, Report
from moderation.scoring.models import CommentScore
from moderation.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookFanout

__all__ = ["Article", "AuditEntry", "ApiKey", "Comment", "BannedAuthor", "Report", "CommentScore", "DomainEvent",
           "WebhookEndpoint", "WebhookDelivery", "WebhookAttempt", "WebhookFanout"]
