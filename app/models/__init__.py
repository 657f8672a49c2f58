"""Every table, one module each. Alembic's env.py imports this package to see them all."""

from app.models.base import Base
from app.models.demand import Demand
from app.models.link_check import LinkOutcome, SourceLinkCheck
from app.models.login_throttle import LoginThrottle
from app.models.negotiation import Negotiation, NegotiationStatus
from app.models.participation import Participation, ParticipationRole
from app.models.party import Party, PartyKind
from app.models.proposal import (
    ChangeKind,
    PointDemand,
    PointLineage,
    Proposal,
    ProposalAuthor,
    ProposalKind,
    ProposalPoint,
    ProposalVersion,
    VersionStatus,
)
from app.models.recovery_code import RecoveryCode
from app.models.revision import Action, Revision
from app.models.source import Source, SourceKind
from app.models.statement import Statement
from app.models.statement_condition import StatementCondition
from app.models.statement_correction import StatementCorrection
from app.models.statement_record import StatementRecord
from app.models.user import Role, User, user_negotiation
from app.models.webhook import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "Action",
    "Base",
    "ChangeKind",
    "Demand",
    "LinkOutcome",
    "LoginThrottle",
    "Negotiation",
    "NegotiationStatus",
    "Participation",
    "ParticipationRole",
    "Party",
    "PartyKind",
    "PointDemand",
    "PointLineage",
    "Proposal",
    "ProposalAuthor",
    "ProposalKind",
    "ProposalPoint",
    "ProposalVersion",
    "RecoveryCode",
    "Revision",
    "Role",
    "Source",
    "SourceKind",
    "SourceLinkCheck",
    "Statement",
    "StatementCondition",
    "StatementCorrection",
    "StatementRecord",
    "User",
    "VersionStatus",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "user_negotiation",
]
