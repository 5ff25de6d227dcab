"""Imports every model so that the metadata (and Alembic) sees all tables."""
from moderation.accounts.models import Account, ConsoleSecret, ConsoleSession, LoginFailure
from moderation.articles.models import Article
from moderation.audit.models import AuditEntry, AuditRedaction
from moderation.auth.models import ApiKey
from moderation.closing.models import QuietHoursState
from moderation.comments.models import Comment
from moderation.events.models import DomainEvent
from moderation.house.models import HouseModelVersion
from moderation.labels.models import ModelLabel
from moderation.review.models import AuthorNote, BannedAuthor, Report
from moderation.scoring.models import CommentScore
from moderation.sitesettings.models import SiteSetting
from moderation.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookFanout

__all__ = ["Account", "ConsoleSecret", "ConsoleSession", "LoginFailure", "Article", "AuditEntry", "AuditRedaction",
           "AuthorNote",
           "ApiKey", "Comment", "BannedAuthor", "Report", "CommentScore", "DomainEvent", "WebhookEndpoint",
           "WebhookDelivery", "WebhookAttempt", "WebhookFanout", "ModelLabel", "QuietHoursState",
           "HouseModelVersion", "SiteSetting"]
