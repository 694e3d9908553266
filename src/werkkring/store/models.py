"""The tables. Enumerations are strings with CHECK constraints so the same migration runs on SQLite and
PostgreSQL; every constraint has a predictable name so later migrations can alter it on both."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar, Final

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    func,
    select,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from werkkring.domain import PRIVATE_FIELDS as PRIVATE_FIELDS
from werkkring.domain import VISIBILITIES as VISIBILITIES
from werkkring.domain import level_of
from werkkring.lifecycle import Status

NAMING_CONVENTION: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES: Final = ("member", "host", "admin")
SESSION_STATUSES: Final = tuple(status.value for status in Status)
INITIATIVE_STATUSES: Final = ("proposed", "active", "paused", "done")
HELIXES: Final = ("private", "society", "labour_market")
INTRODUCTION_STATUSES: Final = ("proposed", "accepted", "met", "declined")
INTRODUCTION_KINDS: Final = ("introduction", "listening_ear")
LOGIN_TOKEN_PURPOSES: Final = ("signin", "reset", "invite")
CIRCLE_KINDS: Final = ("local", "thematic")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        # The directory lists members by name, a page at a time.
        Index("ix_members_name_id", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="NL")
    birth_year: Mapped[int | None] = mapped_column(Integer)
    age_band: Mapped[str | None] = mapped_column(String(20))
    joined_on: Mapped[dt.date] = mapped_column(Date, default=dt.date.today)
    offers: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Network-wide role; circle roles live on Membership.
    role: Mapped[str] = mapped_column(String(10), default="member")
    language: Mapped[str] = mapped_column(String(5), default="nl")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    intro_opt_in: Mapped[bool] = mapped_column(Boolean, default=True)
    intro_frequency: Mapped[int] = mapped_column(Integer, default=1)
    listener: Mapped[bool] = mapped_column(Boolean, default=False)
    newsletter: Mapped[bool] = mapped_column(Boolean, default=True)
    # Consent to appear by name in published session reports (as host or initiative owner); off by default.
    named_in_reports: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # A guest of one work session (joined by its code without an account; see Guest): not a member of the
    # network, in no list but that session's, deleted with the session or after its keeping time.
    # (No foreign key: members and work_sessions would refer to each other; the hourly guest clean-up removes
    # guests whose session is gone.)
    guest_of: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Set on every change of the row (ORM and Core updates alike): the connections index reads the members
    # changed since it last looked, so an edited profile is matched and searchable within seconds.
    updated_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, index=True
    )

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="member", cascade="all, delete-orphan"
    )

    def visibility_of(self, field: str) -> str:
        return level_of(self.visibility, field)


class Circle(Base):
    __tablename__ = "circles"
    __table_args__ = (CheckConstraint(_in("kind", CIRCLE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="local")
    region: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="circle", cascade="all, delete-orphan"
    )


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    circle_id: Mapped[int] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(10), default="member")
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[Member] = relationship(back_populates="memberships")
    circle: Mapped[Circle] = relationship(back_populates="memberships")


class WorkSession(Base):
    __tablename__ = "work_sessions"
    __table_args__ = (
        CheckConstraint(_in("status", SESSION_STATUSES), name="status"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    place: Mapped[str | None] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None] = mapped_column(Integer)
    group_size: Mapped[int] = mapped_column(Integer, default=4)
    status: Mapped[str] = mapped_column(String(12), default="open")
    language: Mapped[str] = mapped_column(String(5), default="nl")
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"), index=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The live room (actions/room.py): the code people join by (drawn when the row is stored), whether
    # people without an account may join as guests, and when the host locked the groups.
    join_code: Mapped[str | None] = mapped_column(String(8), unique=True, index=True)
    guests_allowed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    groups_locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The host's synthesis board (actions/board.py): its version goes up with every edit, so an edit made on
    # an older board is refused instead of overwriting a co-host's; the number of themes last asked for.
    board_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    board_themes: Mapped[int | None] = mapped_column(Integer)
    # Edits by the host (actions/session_edits.py): the calendar's SEQUENCE goes up with every change people
    # should see (time, place, cancellation), updated_at is when; a cancellation keeps its reason.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # Set when the host makes the published outcome public: a page anyone may open, and the Atom feed.
    public_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    circle: Mapped[Circle | None] = relationship()
    host: Mapped[Member | None] = relationship()
    groups: Mapped[list[BreakoutGroup]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="BreakoutGroup.number"
    )


class Registration(Base):
    __tablename__ = "registrations"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("work_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # At the door (actions/room.py): ticked off by the host; a table host (facilitator), pinned to a group
    # number or (None) spread over the groups by the engine.
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    table_host: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    host_group: Mapped[int | None] = mapped_column(Integer)

    member: Mapped[Member] = relationship()


class Guest(Base):
    """What a guest of one session gave when joining by its code, beside their (guest) Member row.

    The rules (docs/guests.md): the host of the session sees name and e-mail, the guest's group mates the
    name; the data is deleted ``guest_retention_days`` after the session is published (or after it started,
    when it never is) unless the guest accepted an invitation to become a member."""

    __tablename__ = "guests"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("work_sessions.id", ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # The join form's one-time token: pressing Join twice (or two tabs) makes one guest, not two.
    join_token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    invited_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    member: Mapped[Member] = relationship()


class BreakoutGroup(Base):
    __tablename__ = "breakout_groups"
    __table_args__ = (UniqueConstraint("session_id", "number", name="uq_breakout_groups_session_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("work_sessions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # World café rounds (actions/room.py): round 2's groups go on numbering after round 1's, so a group
    # number names one table of one round; input stays with the group (and round) it was entered in.
    round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Group harvest: the group's own one-line summary of its input (the draft prefers it as a summary line).
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")

    session: Mapped[WorkSession] = relationship(back_populates="groups")
    seats: Mapped[list[Seat]] = relationship(back_populates="group", cascade="all, delete-orphan")


class Seat(Base):
    __tablename__ = "seats"
    __table_args__ = (UniqueConstraint("session_id", "member_id", name="uq_seats_session_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("work_sessions.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("breakout_groups.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    fixed: Mapped[bool] = mapped_column(Boolean, default=False)

    group: Mapped[BreakoutGroup] = relationship(back_populates="seats")
    member: Mapped[Member] = relationship()


class RoundSeat(Base):
    """Where someone sat in a finished round of a session (the current round's seats are in Seat)."""

    __tablename__ = "round_seats"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("work_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("breakout_groups.id", ondelete="CASCADE"), index=True)


class Theme(Base):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("work_sessions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    groups: Mapped[list[Any]] = mapped_column(JSON, default=list)
    quotes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    undercurrent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the label and the summary line come from: "draft" (the offline draft, to be accepted), "host",
    # "group" (a group's own line), "model" (the optional language model). ``by_host``: the host made this
    # theme (added, merged, split); with a host label or summary it is kept by every re-run.
    label_source: Mapped[str] = mapped_column(String(10), default="draft", server_default="draft")
    summary_source: Mapped[str] = mapped_column(String(10), default="draft", server_default="draft")
    by_host: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def pinned(self) -> bool:
        """The host decided on this theme: a re-run keeps it (with its label, summary and cards)."""
        return self.by_host or self.label_source == "host" or self.summary_source == "host"


class Contribution(Base):
    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("work_sessions.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_groups.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text)
    is_proposal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The board (the text is never changed): ``placed`` the host put this card in its theme (a re-run keeps
    # it there); ``aside`` why it has no theme ("host", "off_topic", "alone"; never quoted) and
    # ``aside_detail`` the reason in words; ``on_topic`` the host brought it back (never set aside again);
    # ``key`` its group marked it as one of its key contributions (group harvest).
    placed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    on_topic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    aside: Mapped[str | None] = mapped_column(String(10))
    aside_detail: Mapped[str] = mapped_column(Text, default="", server_default="")
    key: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When its author last changed it (only before the synthesis).
    edited_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    group: Mapped[BreakoutGroup | None] = relationship()
    author: Mapped[Member | None] = relationship()


class Initiative(Base):
    __tablename__ = "initiatives"
    __table_args__ = (CheckConstraint(_in("status", INITIATIVE_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("work_sessions.id", ondelete="SET NULL"))
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="SET NULL"))
    looking_for: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    owner: Mapped[Member | None] = relationship()
    participants: Mapped[list[InitiativeParticipant]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan"
    )
    updates: Mapped[list[InitiativeUpdate]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="InitiativeUpdate.created_at"
    )


class InitiativeParticipant(Base):
    __tablename__ = "initiative_participants"

    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    adds_for_me: Mapped[str] = mapped_column(Text, default="")
    contributes: Mapped[str] = mapped_column(Text, default="")
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    initiative: Mapped[Initiative] = relationship(back_populates="participants")
    member: Mapped[Member] = relationship()


class InitiativeUpdate(Base):
    __tablename__ = "initiative_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    initiative: Mapped[Initiative] = relationship(back_populates="updates")
    author: Mapped[Member | None] = relationship()


class HelixEntry(Base):
    __tablename__ = "helix_entries"
    __table_args__ = (
        CheckConstraint(_in("helix", HELIXES), name="helix"),
        CheckConstraint("hours > 0 AND hours <= 24", name="hours"),
        Index("ix_helix_entries_member_date", "member_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    helix: Mapped[str] = mapped_column(String(15))
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Introduction(Base):
    __tablename__ = "introductions"
    __table_args__ = (
        CheckConstraint(_in("status", INTRODUCTION_STATUSES), name="status"),
        CheckConstraint(_in("kind", INTRODUCTION_KINDS), name="kind"),
        CheckConstraint("member_a_id <> member_b_id", name="distinct_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(15), default="introduction")
    round_no: Mapped[int] = mapped_column(Integer, default=1)
    member_a_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    member_b_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    member_c_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # "Introduce us" (actions/introductions.py): a member asks (member_a is the one who asked), the other
    # side answers; each side's yes is stamped, and introduced_at once both said yes and the mails went out.
    # open_pair ("low-high" member ids) is set while a request is open: one open request per pair, however
    # many ask at the same moment.
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    a_accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    b_accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    introduced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    open_pair: Mapped[str | None] = mapped_column(String(40), unique=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LoginToken(Base):
    """A one-time link by e-mail (sign in, password reset, invitation); only its SHA-256 is kept."""

    __tablename__ = "login_tokens"
    __table_args__ = (CheckConstraint(_in("purpose", LOGIN_TOKEN_PURPOSES), name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ApiToken(Base):
    """A personal API token; only the SHA-256 of the token is kept, the member sees it once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class TextEmbedding(Base):
    """A text's embedding under one model, so each text is embedded once across processes and runs.

    Derived data (it can always be computed again from the text), keyed by the model's cache space and the
    SHA-256 of the text; the text itself is not stored, so hidden or deleted profile texts leave nothing
    readable behind. ``vector`` is float32 little-endian bytes."""

    __tablename__ = "text_embeddings"

    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


JOB_STATUSES: Final = ("queued", "running", "retrying", "done", "failed")
JOB_ITEM_STATUSES: Final = ("sending", "done", "failed", "in_doubt")


class Job(Base):
    """One background job (werkkring.jobs): the durable record the runner claims, retries and reports.

    Written in the same transaction as the change that asked for it, so a rolled-back change leaves no job,
    and a job survives any crash of the process that runs it."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_in("status", JOB_STATUSES), name="status"),
        Index("ix_jobs_status_run_after", "status", "run_after"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    # While a job of this key is queued or running, a second one with the same key is refused: active_key
    # holds the key until the job ends (unique), key keeps it for a later run again.
    key: Mapped[str | None] = mapped_column(String(120), index=True)  # a board's last draft, by its key
    active_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    worker: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class JobItem(Base):
    """One unit of a bulk job (one recipient of a newsletter), claimed before its side effect happens, so a
    job that is run again after a crash skips what was already done and never repeats a side effect."""

    __tablename__ = "job_items"
    __table_args__ = (CheckConstraint(_in("status", JOB_ITEM_STATUSES), name="status"),)

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(String(120), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="sending")
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RateCounter(Base):
    """Hits per key in a fixed time window, shared by every web process through the database."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class LiveEvent(Base):
    """A live update on a channel (werkkring.live), for processes that share no broker: every web process
    polls this table and hands new events to its subscribers."""

    __tablename__ = "live_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(120))
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


VOTING_STATES: Final = ("closed", "open", "ended")
TIMER_STATES: Final = ("idle", "running", "paused")


class RoomSettings(Base):
    """How the room runs one work session: the dots each participant gets, whether voting is open, and up to
    which round the input is closed."""

    __tablename__ = "room_settings"
    __table_args__ = (
        CheckConstraint(_in("voting", VOTING_STATES), name="voting"),
        CheckConstraint("dots >= 1 AND dots <= 10", name="dots"),
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("work_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    dots: Mapped[int] = mapped_column(Integer, default=3)
    voting: Mapped[str] = mapped_column(String(10), default="closed")
    # The input of rounds up to this one is closed for participants (0: none); the host may still add.
    input_closed_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Vote(Base):
    """One dot a participant put on a card (a contribution or proposal) of a work session.

    ``voter`` is ``m:<member id>`` or ``g:<guest id>``: one key for members and guests, so the two unique
    constraints hold for both. ``slot`` is which of the voter's dots it is (1..dots): two requests spending
    the same dot at the same moment collide on the constraint, so nobody ever spends more than the dots
    the host gave, whatever the database's isolation level."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("session_id", "voter", "contribution_id", name="uq_votes_session_voter_card"),
        UniqueConstraint("session_id", "voter", "slot", name="uq_votes_session_voter_slot"),
        CheckConstraint("slot >= 1", name="slot"),
        CheckConstraint("(member_id IS NULL) <> (guest_id IS NULL)", name="one_voter"),
        Index("ix_votes_session_contribution", "session_id", "contribution_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("work_sessions.id", ondelete="CASCADE"))
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    voter: Mapped[str] = mapped_column(String(24))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    # A guest of the session (joined by code); the guests table comes with join-by-code.
    guest_id: Mapped[int | None] = mapped_column(Integer, index=True)
    slot: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RoundTimer(Base):
    """The timer of one round of a work session. Running: ``ends_at`` is when it reaches zero; paused (or
    not started): ``remaining`` seconds are left. Pages count down from ``ends_at``, never from their own
    clock's idea of the start."""

    __tablename__ = "round_timers"
    __table_args__ = (
        CheckConstraint(_in("state", TIMER_STATES), name="state"),
        CheckConstraint("remaining >= 0", name="remaining"),
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("work_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    round_no: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    state: Mapped[str] = mapped_column(String(10), default="idle")
    remaining: Mapped[int] = mapped_column(Integer, default=0)
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ReportFile(Base):
    """A session report's PDF made by a background job (werkkring.jobs.report_pdf), under the SHA-256 of the
    report's HTML: served to every web process, made again when the report changes."""

    __tablename__ = "report_files"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("work_sessions.id", ondelete="CASCADE"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


NOTIFICATION_MODES: Final = ("now", "digest", "off")


class NotificationSetting(Base):
    """How a member wants one kind of notification: by mail at once, in the weekly digest, or not at all.
    No row means the kind's default (werkkring.actions.notifications.KINDS)."""

    __tablename__ = "notification_settings"
    __table_args__ = (CheckConstraint(_in("mode", NOTIFICATION_MODES), name="mode"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))


class Notification(Base):
    """One thing to tell one member, written in the transaction of the change: mailed by a job after the
    commit (mode ``now``) or gathered into the weekly digest (``digest``); ``sent_at`` once it went out.
    ``params`` holds what the mail says (titles, a path), as it was at the moment of the change."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(_in("mode", ("now", "digest")), name="mode"),
        Index("ix_notifications_mode_sent_member", "mode", "sent_at", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(10))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


@event.listens_for(WorkSession, "before_insert")
def _draw_join_code(mapper: Any, connection: Any, target: WorkSession) -> None:
    """Every session gets a join code when it is stored; drawn again on the rare collision."""
    if target.join_code:
        return
    from werkkring.joincodes import new_code

    for _ in range(20):
        code = new_code()
        taken = connection.execute(select(WorkSession.id).where(WorkSession.join_code == code)).first()
        if taken is None:
            target.join_code = code
            return
    raise RuntimeError("no free join code found in 20 draws")


class SiteKey(Base):
    """A secret werkkring generated itself and keeps (store/keys.py): the same in every process and worker,
    never a constant in the code. WERKKRING_SECRET_KEY, when set, takes its place."""

    __tablename__ = "site_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
