"""REST API v1 for the dialogue record (api.md): dialogues, parties, topics, sessions,
agenda items, delegations, expectations and positions.

Views are thin: each one starts from a selector scoped to the person asking (so what
they may not see answers 404), hands writes to a service (which answers 403, 409 or
412 through its domain errors), and serialises the result."""

from __future__ import annotations

import functools

import django_filters
from django.conf import settings
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from config.api import WindowCountPagination, errors
from debates import rules, selectors, services
from debates.errors import NotPermitted
from debates.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Dialogue,
    Expectation,
    MemberRole,
    Outcome,
    Party,
    Position,
    PositionVersion,
    Rule,
    Session,
    Topic,
    Visibility,
)


def forbid(exc: NotPermitted) -> PermissionDenied:
    return PermissionDenied(exc.message)


def precheck(check, *args) -> None:
    """Run a service's permission check before the body is validated, so that a person
    who may not act hears 403 rather than a list of field errors."""
    try:
        check(*args)
    except NotPermitted as exc:
        raise forbid(exc) from None


# Dialogues and parties -------------------------------------------------------------


class DialogueSerializer(serializers.ModelSerializer):
    languages = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Language codes: en, zh-hans.",
    )
    default_rule = serializers.ChoiceField(choices=Rule.choices, required=False)

    class Meta:
        model = Dialogue
        fields = ["id", "title", "description", "languages", "default_rule", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_languages(self, value: list[str]) -> list[str]:
        known = [code for code, _ in settings.LANGUAGES]
        unknown = [code for code in value if code not in known]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown language codes {unknown}: use {', '.join(known)}."
            )
        return list(dict.fromkeys(value))


@extend_schema(tags=["dialogues"])
class DialogueListView(generics.ListCreateAPIView):
    serializer_class = DialogueSerializer

    def get_queryset(self) -> QuerySet[Dialogue]:
        return selectors.dialogue_list(user=self.request.user)

    @extend_schema(responses={200: DialogueSerializer, **errors(401)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(responses={201: DialogueSerializer, **errors(400, 401, 403)})
    def post(self, request, *args, **kwargs):
        precheck(services.require_admin, request.user, "create a dialogue")
        data = DialogueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dialogue = services.dialogue_create(actor=request.user, **data.validated_data)
        return Response(DialogueSerializer(dialogue).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["dialogues"])
class DialogueDetailView(generics.RetrieveUpdateAPIView):
    serializer_class = DialogueSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Dialogue]:
        return selectors.dialogue_list(user=self.request.user)

    @extend_schema(responses={200: DialogueSerializer, **errors(401, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(responses={200: DialogueSerializer, **errors(400, 401, 403, 404)})
    def patch(self, request, *args, **kwargs):
        dialogue = self.get_object()
        precheck(services.require_admin, request.user, "change a dialogue")
        data = DialogueSerializer(dialogue, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        dialogue = services.dialogue_update(
            actor=request.user, dialogue=dialogue, **data.validated_data
        )
        return Response(DialogueSerializer(dialogue).data)


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "dialogue", "name", "code"]
        read_only_fields = ["id", "dialogue"]


@extend_schema(tags=["dialogues"])
class PartyListView(generics.ListCreateAPIView):
    serializer_class = PartySerializer
    queryset = Party.objects.none()  # for the schema; get_queryset scopes it

    def dialogue(self) -> Dialogue:
        return get_object_or_404(
            selectors.dialogue_list(user=self.request.user), pk=self.kwargs["pk"]
        )

    def get_queryset(self) -> QuerySet[Party]:
        return Party.objects.filter(dialogue=self.dialogue()).order_by("code")

    @extend_schema(responses={200: PartySerializer, **errors(401, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(responses={201: PartySerializer, **errors(400, 401, 403, 404)})
    def post(self, request, *args, **kwargs):
        dialogue = self.dialogue()
        precheck(services.require_admin, request.user, "add a party")
        data = PartySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        party = services.party_create(actor=request.user, dialogue=dialogue, **data.validated_data)
        return Response(PartySerializer(party).data, status=status.HTTP_201_CREATED)


# Topics ---------------------------------------------------------------------------


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "code", "name", "name_zh", "category", "parent", "description"]
        read_only_fields = fields


@extend_schema(tags=["topics"], responses={200: TopicSerializer, **errors(401)})
class TopicListView(generics.ListAPIView):
    """The risk taxonomy, names in English and Simplified Chinese."""

    serializer_class = TopicSerializer

    def get_queryset(self) -> QuerySet[Topic]:
        return selectors.topic_list()


# Sessions -------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    builds_on = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Session.objects.all(), required=False
    )
    facilitators = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.all(), required=False
    )
    observers = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.all(), required=False
    )
    rule = serializers.ChoiceField(choices=Rule.choices, required=False)

    class Meta:
        model = Session
        fields = [
            "id",
            "dialogue",
            "title",
            "track",
            "format",
            "rule",
            "status",
            "starts_at",
            "ends_at",
            "location",
            "builds_on",
            "facilitators",
            "observers",
        ]
        read_only_fields = ["id", "status"]


class SessionUpdateSerializer(SessionSerializer):
    class Meta(SessionSerializer.Meta):
        read_only_fields = ["id", "status", "dialogue"]


class SessionFilter(django_filters.FilterSet):
    class Meta:
        model = Session
        fields = ["dialogue", "track", "status"]


def session_queryset(user: User) -> QuerySet[Session]:
    # One query each for the three id lists, whatever the number of sessions.
    return selectors.session_list(user=user).prefetch_related(
        "builds_on", "facilitators", "observers"
    )


@extend_schema(tags=["sessions"])
class SessionListView(generics.ListCreateAPIView):
    serializer_class = SessionSerializer
    filterset_class = SessionFilter

    def get_queryset(self) -> QuerySet[Session]:
        return session_queryset(self.request.user)

    @extend_schema(responses={200: SessionSerializer, **errors(400, 401)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(responses={201: SessionSerializer, **errors(400, 401, 403)})
    def post(self, request, *args, **kwargs):
        precheck(services.require_admin, request.user, "create a session")
        data = SessionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_create(actor=request.user, **data.validated_data)
        return Response(
            SessionSerializer(session_queryset(request.user).get(pk=session.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["sessions"])
class SessionDetailView(generics.RetrieveUpdateAPIView):
    serializer_class = SessionSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Session]:
        return session_queryset(self.request.user)

    @extend_schema(responses={200: SessionSerializer, **errors(401, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=SessionUpdateSerializer,
        responses={200: SessionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def patch(self, request, *args, **kwargs):
        session = self.get_object()
        precheck(services.require_admin, request.user, "change a session")
        data = SessionUpdateSerializer(session, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.session_update(actor=request.user, session=session, **data.validated_data)
        return Response(SessionSerializer(self.get_queryset().get(pk=session.pk)).data)


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Session.Status.choices)


@extend_schema(tags=["sessions"])
class SessionTransitionView(APIView):
    @extend_schema(
        request=TransitionSerializer,
        responses={200: SessionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Move the session one step forward: draft, agenda_published, in_progress,
        concluded, report_published. Anything else answers 409 with the reason."""
        session = get_object_or_404(session_queryset(request.user), pk=pk)
        precheck(services.require_manager, request.user, session, "move the session")
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.session_transition(
            actor=request.user, session=session, to=data.validated_data["to"]
        )
        return Response(SessionSerializer(session_queryset(request.user).get(pk=pk)).data)


def visible_session(request: Request, pk: int) -> Session:
    return get_object_or_404(selectors.session_list(user=request.user), pk=pk)


# Agenda ---------------------------------------------------------------------------


class AgendaItemSerializer(serializers.ModelSerializer):
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.all())
    topic_code = serializers.CharField(source="topic.code", read_only=True)
    topic_name = serializers.CharField(source="topic.name", read_only=True)
    topic_name_zh = serializers.CharField(source="topic.name_zh", read_only=True)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    urgency = serializers.IntegerField(min_value=1, max_value=5, required=False)
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    # The column is a PostgreSQL integer: a larger number would be a 500, not a 400.
    order = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "session",
            "topic",
            "topic_code",
            "topic_name",
            "topic_name_zh",
            "title",
            "objective",
            "urgency",
            "order",
            "minutes",
        ]
        read_only_fields = ["id", "session"]


@extend_schema(tags=["agenda"])
class AgendaItemListView(generics.ListCreateAPIView):
    serializer_class = AgendaItemSerializer
    queryset = AgendaItem.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self) -> QuerySet[AgendaItem]:
        session = visible_session(self.request, self.kwargs["pk"])
        return selectors.agenda_item_list(user=self.request.user, session=session)

    @extend_schema(responses={200: AgendaItemSerializer, **errors(401, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(responses={201: AgendaItemSerializer, **errors(400, 401, 403, 404, 409)})
    def post(self, request, *args, **kwargs):
        session = visible_session(request, kwargs["pk"])
        precheck(services.require_manager, request.user, session, "change the agenda")
        data = AgendaItemSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.agenda_item_create(
            actor=request.user, session=session, **data.validated_data
        )
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["agenda"])
class AgendaItemDetailView(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = AgendaItemSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[AgendaItem]:
        return selectors.agenda_item_list(user=self.request.user).select_related("session")

    @extend_schema(responses={200: AgendaItemSerializer, **errors(401, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(responses={200: AgendaItemSerializer, **errors(400, 401, 403, 404, 409)})
    def patch(self, request, *args, **kwargs):
        item = self.get_object()
        precheck(services.require_manager, request.user, item.session, "change the agenda")
        data = AgendaItemSerializer(item, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        item = services.agenda_item_update(actor=request.user, item=item, **data.validated_data)
        return Response(AgendaItemSerializer(item).data)

    @extend_schema(responses={204: None, **errors(401, 403, 404, 409)})
    def delete(self, request, *args, **kwargs):
        item = self.get_object()
        services.agenda_item_delete(actor=request.user, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Delegations ----------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = DelegationMember
        fields = ["user", "role", "username", "display_name"]
        read_only_fields = ["username", "display_name"]


class MemberInputSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.MEMBER)


class DelegationSerializer(serializers.ModelSerializer):
    party_code = serializers.CharField(source="party.code", read_only=True)
    party_name = serializers.CharField(source="party.name", read_only=True)
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Delegation
        fields = ["id", "session", "party", "party_code", "party_name", "members"]
        read_only_fields = ["id", "session"]


@extend_schema(tags=["delegations"])
class DelegationListView(generics.ListCreateAPIView):
    serializer_class = DelegationSerializer
    queryset = Delegation.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self) -> QuerySet[Delegation]:
        session = visible_session(self.request, self.kwargs["pk"])
        return selectors.delegation_list(user=self.request.user, session=session)

    @extend_schema(responses={200: DelegationSerializer, **errors(401, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(responses={201: DelegationSerializer, **errors(400, 401, 403, 404, 409)})
    def post(self, request, *args, **kwargs):
        session = visible_session(request, kwargs["pk"])
        precheck(services.require_admin, request.user, "add a delegation")
        data = DelegationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        delegation = services.delegation_create(
            actor=request.user, session=session, party=data.validated_data["party"]
        )
        delegation = selectors.delegation_list(user=request.user).get(pk=delegation.pk)
        return Response(DelegationSerializer(delegation).data, status=status.HTTP_201_CREATED)


def visible_delegation(request: Request, pk: int) -> Delegation:
    return get_object_or_404(selectors.delegation_list(user=request.user), pk=pk)


@extend_schema(tags=["delegations"], responses={200: DelegationSerializer, **errors(401, 404)})
class DelegationDetailView(generics.RetrieveAPIView):
    serializer_class = DelegationSerializer

    def get_queryset(self) -> QuerySet[Delegation]:
        return selectors.delegation_list(user=self.request.user)


@extend_schema(tags=["delegations"])
class DelegationMemberListView(APIView):
    @extend_schema(
        request=MemberInputSerializer,
        responses={201: MemberSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Add a person to the delegation (or change their role)."""
        delegation = visible_delegation(request, pk)
        precheck(services.require_admin, request.user, "change a delegation")
        data = MemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.delegation_member_add(
            actor=request.user, delegation=delegation, **data.validated_data
        )
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["delegations"])
class DelegationMemberDetailView(APIView):
    @extend_schema(responses={204: None, **errors(401, 403, 404, 409)})
    def delete(self, request: Request, pk: int, user_id: int) -> Response:
        """Remove a person from the delegation."""
        delegation = visible_delegation(request, pk)
        precheck(services.require_admin, request.user, "change a delegation")
        member = get_object_or_404(delegation.members.select_related("user"), user_id=user_id)
        services.delegation_member_remove(
            actor=request.user, delegation=delegation, user=member.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# Expectations ---------------------------------------------------------------------


class ExpectationSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    importance = serializers.IntegerField(min_value=1, max_value=5, default=3)

    class Meta:
        model = Expectation
        fields = ["agenda_item", "outcome", "importance"]

    def __init__(self, *args, session: Session | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if session is not None:
            # Only items of the delegation's own session can be named.
            self.fields["agenda_item"].queryset = session.agenda_items.all()


@extend_schema(tags=["delegations"])
class ExpectationView(APIView):
    """A delegation's expected outcome per agenda item: read it as a list, replace it
    whole with PUT (the same list)."""

    @extend_schema(responses={200: ExpectationSerializer(many=True), **errors(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        delegation = visible_delegation(request, pk)
        expectations = selectors.expectation_list(user=request.user, delegation=delegation)
        return Response(ExpectationSerializer(expectations, many=True).data)

    @extend_schema(
        request=ExpectationSerializer(many=True),
        responses={200: ExpectationSerializer(many=True), **errors(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, pk: int) -> Response:
        delegation = visible_delegation(request, pk)
        if not rules.is_head(request.user, delegation):
            raise PermissionDenied("Only the head of this delegation may set its expectations.")
        data = ExpectationSerializer(data=request.data, many=True, session=delegation.session)
        data.is_valid(raise_exception=True)
        services.expectations_set(
            actor=request.user, delegation=delegation, items=data.validated_data
        )
        expectations = selectors.expectation_list(user=request.user, delegation=delegation)
        return Response(ExpectationSerializer(expectations, many=True).data)


# Positions ------------------------------------------------------------------------


class PositionSerializer(serializers.Serializer):
    """A position as the reader may see it: the latest version visible to them."""

    id = serializers.IntegerField(read_only=True)
    session = serializers.IntegerField(read_only=True)
    delegation = serializers.IntegerField(read_only=True)
    party = serializers.CharField(read_only=True)
    agenda_item = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    red_lines = serializers.CharField(read_only=True)
    proposed_language = serializers.CharField(read_only=True)
    visibility = serializers.CharField(read_only=True)
    author = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    revised_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, row: dict) -> dict:
        # Every row of the busiest list passes here: built by position_data in one go
        # from plain rows (position_rows, version_rows) rather than field by field and
        # model by model; the fields above describe it for the schema.
        version = self.context["versions"][row["visible_version_id"]]
        return position_data(row, version, self._zone)

    @functools.cached_property
    def _zone(self):
        return timezone.get_current_timezone()


def iso_datetime(value, zone) -> str:
    """As DRF's DateTimeField writes it: ISO 8601 in `zone` (the current time zone),
    UTC as Z."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def position_data(row: dict, version: dict, zone) -> dict:
    """A position as PositionSerializer describes it, from a position row and the row
    of the version the reader may see."""
    return {
        "id": row["id"],
        "session": row["session"],
        "delegation": row["delegation_id"],
        "party": row["party"],
        "agenda_item": row["agenda_item_id"],
        "version": version["number"],
        "text": version["text"],
        "summary": version["summary"],
        "red_lines": version["red_lines"],
        "proposed_language": version["proposed_language"],
        "visibility": version["visibility"],
        "author": version["author_id"],
        "created_at": iso_datetime(row["created_at"], zone),
        "revised_at": iso_datetime(version["created_at"], zone),
    }


POSITION_COLUMNS = ("id", "delegation_id", "agenda_item_id", "created_at", "visible_version_id")
VERSION_COLUMNS = ("id", "number", *services.VERSION_FIELDS, "author_id", "created_at")


def position_rows(positions: QuerySet[Position]) -> QuerySet:
    """The columns PositionSerializer reads, as plain rows, from a position_list()."""
    return positions.values(
        *POSITION_COLUMNS,
        session=F("delegation__session_id"),
        party=F("delegation__party__code"),
    )


def version_rows(rows) -> dict[int, dict]:
    """The visible version of each position row, by version id, in one query."""
    ids = [row["visible_version_id"] for row in rows]
    return {v["id"]: v for v in PositionVersion.objects.filter(pk__in=ids).values(*VERSION_COLUMNS)}


class PositionCreateSerializer(serializers.Serializer):
    delegation = serializers.PrimaryKeyRelatedField(queryset=Delegation.objects.all())
    agenda_item = serializers.PrimaryKeyRelatedField(queryset=AgendaItem.objects.all())
    text = serializers.CharField()
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    red_lines = serializers.CharField(required=False, allow_blank=True, default="")
    proposed_language = serializers.CharField(required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.DELEGATION)

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # Ids the person may not see are as unknown as ids that do not exist.
            self.fields["delegation"].queryset = selectors.delegation_list(user=user)
            self.fields["agenda_item"].queryset = selectors.agenda_item_list(user=user)


class PositionUpdateSerializer(serializers.Serializer):
    text = serializers.CharField(required=False)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    red_lines = serializers.CharField(required=False, allow_blank=True)
    proposed_language = serializers.CharField(required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class PositionVersionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="number", read_only=True)
    author_name = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = PositionVersion
        fields = [
            "version",
            "text",
            "summary",
            "red_lines",
            "proposed_language",
            "visibility",
            "author",
            "author_name",
            "created_at",
        ]
        read_only_fields = fields


class PositionFilter(django_filters.FilterSet):
    session = django_filters.NumberFilter(field_name="delegation__session_id")

    class Meta:
        model = Position
        fields = ["session", "agenda_item", "delegation"]


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(request: Request) -> int | None:
    """The version number an If-Match header names (`"3"`, `3` or `W/"3"`), or None."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    value = header.removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else -1


def position_response(
    request: Request, pk: int, code: int = 200, *, revised: tuple | None = None
) -> Response:
    """The position as the reader sees it, with its ETag. `revised`: the (position,
    version) a member just wrote, which is what they see: no need to read it again."""
    if revised is None:
        row = position_rows(selectors.position_list(user=request.user).filter(pk=pk)).get()
        versions = version_rows([row])
    else:
        position, version = revised
        row = {
            **{column: getattr(position, column, None) for column in POSITION_COLUMNS},
            "visible_version_id": version.pk,
            "session": position.delegation.session_id,
            "party": position.delegation.party.code,
        }
        versions = {version.pk: {c: getattr(version, c) for c in VERSION_COLUMNS}}
    version_row = versions[row["visible_version_id"]]
    data = position_data(row, version_row, timezone.get_current_timezone())
    response = Response(data, status=code)
    response["ETag"] = etag(data["version"])
    return response


ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The version shown, quoted (e.g. "2"): send it back in If-Match to revise.',
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the version you revise, e.g. "2".',
)


@extend_schema(tags=["positions"])
class PositionListView(generics.ListCreateAPIView):
    serializer_class = PositionSerializer
    filterset_class = PositionFilter
    pagination_class = WindowCountPagination

    def get_queryset(self) -> QuerySet[Position]:
        # The serializer reads the party and nothing else related: the fewer joins, the
        # less the database carries through the sort of the whole filtered list.
        return selectors.position_list(user=self.request.user).order_by(
            "delegation__session_id", "agenda_item__order", "delegation__party__code", "id"
        )

    @extend_schema(responses={200: PositionSerializer, **errors(400, 401)})
    def get(self, request, *args, **kwargs):
        # Queries: the page with the count, the visible versions of its positions.
        page = self.paginate_queryset(position_rows(self.filter_queryset(self.get_queryset())))
        context = {**self.get_serializer_context(), "versions": version_rows(page)}
        data = PositionSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=PositionCreateSerializer,
        parameters=[ETAG],
        responses={201: PositionSerializer, **errors(400, 401, 403, 409)},
    )
    def post(self, request, *args, **kwargs):
        data = PositionCreateSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        position = services.position_log(actor=request.user, **data.validated_data)
        return position_response(request, position.pk, status.HTTP_201_CREATED)


@extend_schema(tags=["positions"])
class PositionDetailView(APIView):
    @extend_schema(parameters=[ETAG], responses={200: PositionSerializer, **errors(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return position_response(request, pk)

    @extend_schema(
        parameters=[IF_MATCH, ETAG],
        request=PositionUpdateSerializer,
        responses={200: PositionSerializer, **errors(400, 401, 403, 404, 409, 412, 428)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Revise the position: a new immutable version, based on the one named by
        If-Match. Without If-Match 428; if it is not the current version 412."""
        based_on = if_match_version(request)
        try:
            position, previous = selectors.position_to_revise(
                user=request.user, pk=pk, based_on=based_on or 0
            )
        except Position.DoesNotExist:
            selectors.position_get(user=request.user, pk=pk)  # 404 to those who can't read it
            raise PermissionDenied(
                "Only members of this delegation may revise its position."
            ) from None
        if based_on is None:
            return Response(
                {"detail": "If-Match is required: send the ETag of the version you revise."},
                status=status.HTTP_428_PRECONDITION_REQUIRED,
            )
        data = PositionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.position_revise(
            actor=request.user,
            position=position,
            based_on=based_on,
            previous=previous,
            **data.validated_data,
        )
        return position_response(request, pk, revised=(position, version))


@extend_schema(tags=["positions"])
class PositionVersionListView(generics.ListAPIView):
    serializer_class = PositionVersionSerializer
    queryset = PositionVersion.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self) -> QuerySet[PositionVersion]:
        position = selectors.position_get(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.position_version_list(user=self.request.user, position=position)

    @extend_schema(responses={200: PositionVersionSerializer, **errors(401, 404)})
    def get(self, request, *args, **kwargs):
        """Every version the reader may see, oldest first."""
        return super().get(request, *args, **kwargs)
