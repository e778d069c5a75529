"""The API's views (decision 0037). Thin, like the screens' views: each one

1. is reached only with a token that carries the method's scope (``scopes``; ``drf.py``);
2. asks the roles the screen's view asks (:func:`_roles`: a list the role may not use is 403,
   an object 404, like ``core.access.staff``);
3. opens objects only through the apps' doors (``tsunagu/*/access.py``), with the token's account
   as the user, so that the same access events are written and the same 404 answers what the
   caller may not see;
4. checks input with the screen's own form (the same rules and messages) and writes through the
   same service. Bad input answers 400 with the field named; a stale ``version`` 409.
"""

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tsunagu.agencies.models import CASE_ROLES, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.api import serializers as s
from tsunagu.api.drf import TokenOnly
from tsunagu.api.scopes import Scope
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import Level, case_get_for_user
from tsunagu.intake import services as intake_services
from tsunagu.intake.forms import ConsultationCreateForm
from tsunagu.people.selectors import person_search
from tsunagu.places.access import place_get_for_user, places_visible_to
from tsunagu.places.selectors import public_events
from tsunagu.records import services as record_services
from tsunagu.records.forms import RecordCreateForm
from tsunagu.referrals import selectors as referral_selectors
from tsunagu.referrals import services as referral_services
from tsunagu.referrals.access import RECEIVER_ROLES, referral_get_for_user, sending_agencies
from tsunagu.referrals.forms import AnswerForm, ReferralForm

ERROR = s.ErrorSerializer
ERRORS = {
    401: OpenApiResponse(ERROR, description="No token, or a token that is malformed, expired or revoked."),
    403: OpenApiResponse(ERROR, description="The token lacks the scope, or its account's role may not use this."),
    404: OpenApiResponse(ERROR, description="Missing, or not visible to the caller: the two look the same."),
    429: OpenApiResponse(ERROR, description="The token's rate limit (API_TOKEN_RATE) is reached."),
}
BAD_INPUT = {400: OpenApiResponse(ERROR, description="Bad input: `errors` names each field and why.")}
CONFLICT = {409: OpenApiResponse(ERROR, description="Somebody changed the record since `version`.")}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A UUID chosen by the caller. The same key sent again (by the same token) returns "
    "what the first call made instead of making it twice.",
)
PAGE_PLACES = 200


class Endpoint(APIView):
    """An endpoint answers the methods it has (GET and HEAD, or POST) and 405 to any other,
    OPTIONS included (the schema describes the API)."""

    http_method_names = ["get", "post", "head"]

    def check_permissions(self, request: Request) -> None:
        # Every call of a valid token counts toward its rate, a refused one (403: a scope it lacks)
        # too: DRF checks the rate after the permissions, so a system looping on a refused call
        # was never slowed while each call wrote the call log and the security log.
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request: Request) -> None:
        if getattr(request, "_throttle_checked", False):
            return
        request._throttle_checked = True  # type: ignore[attr-defined]
        super().check_throttles(request)


def _roles(request: Request, roles: tuple[str, ...], *, object_page: bool) -> None:
    """The screen's role rule (``core.access.staff``): a list or form the role may not use answers
    403 (no secret), an object 404 (its existence is not revealed)."""
    context = staff_context(request.user)
    if not context.memberships or not context.has_role(*roles):
        if object_page:
            raise Http404
        raise PermissionDenied


def _valid(form: Any) -> dict[str, Any]:
    """The form's cleaned data, or a 400 naming each field the form refused."""
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    return dict(form.cleaned_data)


def _key(request: Request) -> uuid.UUID:
    """The submission key of a create: the caller's Idempotency-Key, else a new one. It is kept
    apart per token (one system cannot reach what another made with the same key) and per method
    and path (the same key sent to another endpoint or another case makes its own record instead
    of answering with the first one: another kind of object, or another case's record)."""
    text = request.headers.get("Idempotency-Key")
    if text is None:
        return uuid.uuid4()
    try:
        given = uuid.UUID(text.strip())
    except ValueError:
        raise ValidationError({"Idempotency-Key": _("UUID の形で指定してください。")}) from None
    return uuid.uuid5(uuid.UUID(int=request.auth.pk), f"{request.method} {request.path} {given}")


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    """The serializer's data as the screen's form takes it: a day as typed (ISO), so that the
    form's own checks of a day (not in the future, ...) run as they do on the screen."""
    return {
        name: value.isoformat() if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else value
        for name, value in data.items()
        if value is not None
    }


class ConsultationCreateView(Endpoint):
    scopes = {"POST": Scope.CONSULTATIONS_WRITE}

    @extend_schema(
        operation_id="consultation_create",
        summary="Register a consultation (the desk's form)",
        request=s.ConsultationInSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.ConsultationOutSerializer, 200: s.ConsultationOutSerializer, **BAD_INPUT, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        _roles(request, (Role.DESK,), object_page=False)
        given = s.ConsultationInSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = ConsultationCreateForm(_drop_none({**given.validated_data, "submission_key": _key(request)}))
        data = _valid(form)
        consultation, created = intake_services.consultation_create(
            user=request.user,
            data=intake_services.ConsultationData.from_cleaned(data),
            key=data["submission_key"],
        )
        body = s.ConsultationOutSerializer(
            {
                "id": consultation.pk,
                "reference_code": consultation.reference_code,
                "received_at": consultation.received_at,
                "created": created,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PersonSearchView(Endpoint):
    scopes = {"GET": Scope.PERSONS_READ}

    @extend_schema(
        operation_id="person_search",
        summary="Search persons (name in kanji or kana, birth date, decade)",
        parameters=[s.PersonSearchInSerializer],
        responses={200: s.PersonSearchOutSerializer, **BAD_INPUT, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        _roles(request, CASE_ROLES, object_page=False)
        given = s.PersonSearchInSerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        found = person_search(
            user=request.user,
            q=given.validated_data.get("q", ""),
            birth_date=given.validated_data.get("birth_date"),
            decade=given.validated_data.get("decade"),
        )
        return Response(
            s.PersonSearchOutSerializer(
                {"persons": found.persons, "more": found.more, "too_broad": found.too_broad}
            ).data
        )


class CaseSummaryView(Endpoint):
    scopes = {"GET": Scope.CASES_READ}

    @extend_schema(
        operation_id="case_summary",
        summary="A case's coordination summary (anybody who sees the case)",
        responses={200: s.CaseSummarySerializer, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        _roles(request, CASE_ROLES, object_page=True)
        case, access = case_get_for_user(request.user, pk)
        setattr(case, "level", "full" if access.level == Level.FULL else "summary")  # noqa: B010 - for the serializer
        setattr(case, "basis", access.basis)  # noqa: B010 - for the serializer
        return Response(s.CaseSummarySerializer(case).data)


RECORDS_SHOWN = 20


class CaseDetailsView(Endpoint):
    scopes = {"GET": Scope.CASES_READ}

    @extend_schema(
        operation_id="case_details",
        summary="A case in full (its team, or emergency access): members, referrals, plans, records",
        responses={200: s.CaseDetailsSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        _roles(request, CASE_ROLES, object_page=True)
        case, access = case_get_for_user(request.user, pk)
        if access.level != Level.FULL:
            raise Http404  # the summary's read is rolled back with the refusal
        records = list(
            case.records.filter(withdrawn=False)
            .prefetch_related("persons")
            .order_by("-occurred_on", "-pk")[:RECORDS_SHOWN]
        )
        if records:
            # The records' contents are read here, as on their own pages (records.access).
            access_record(
                user=request.user,
                action=Action.LIST,
                object_type="record",
                object_ids=[r.pk for r in records],
                person_ids=sorted({p.pk for r in records for p in r.persons.all()}),
                case_id=case.pk,
                reason=access.reason,
                basis=access.basis,
            )
        # What the serializer shows beside the case's own fields (never assigned to a relation).
        extra = {
            "level": "full",
            "basis": access.basis,
            "api_members": list(case.household.members.order_by("pk")),
            "api_referrals": list(
                case.referrals.select_related("from_agency", "to_agency").order_by("-requested_at", "-pk")[:20]
            ),
            "api_plans": list(case.plans.order_by("-number")[:5]),
            "api_records": records,
        }
        for name, value in extra.items():
            setattr(case, name, value)
        return Response(s.CaseDetailsSerializer(case).data)


class RecordCreateView(Endpoint):
    scopes = {"POST": Scope.RECORDS_WRITE}

    @extend_schema(
        operation_id="record_create",
        summary="Add a progress record to a case (its team)",
        request=s.RecordInSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.RecordOutSerializer, 200: s.RecordOutSerializer, **BAD_INPUT, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        _roles(request, CASE_ROLES, object_page=True)
        case, _access = case_get_for_user(request.user, pk, write=True)
        given = s.RecordInSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        raw = dict(given.validated_data)
        raw["reached"] = "yes" if raw["reached"] else "no"
        form = RecordCreateForm(_drop_none({**raw, "submission_key": _key(request)}), household=case.household)
        data = _valid(form)
        record, created = record_services.record_create(
            user=request.user,
            case=case,
            data=record_services.RecordData.from_cleaned(data),
            key=data["submission_key"],
        )
        setattr(record, "created", created)  # noqa: B010 - for the serializer
        return Response(
            s.RecordOutSerializer(record).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


def _referral_body(referral: Any, side: str) -> dict[str, Any]:
    setattr(referral, "side", side)  # noqa: B010 - for the serializer
    return s.ReferralSerializer(referral).data  # type: ignore[return-value]


class ReferralSendView(Endpoint):
    scopes = {"POST": Scope.REFERRALS_WRITE}

    @extend_schema(
        operation_id="referral_send",
        summary="Send a referral from a case (its team) to another agency",
        request=s.ReferralInSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.ReferralSerializer, 200: s.ReferralSerializer, **BAD_INPUT, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        _roles(request, CASE_ROLES, object_page=True)
        case, _access = case_get_for_user(request.user, pk, write=True)
        given = s.ReferralInSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = ReferralForm(
            _drop_none({**given.validated_data, "submission_key": _key(request)}),
            case=case,
            from_agencies=sending_agencies(request.user, case),
        )
        data = _valid(form)
        referral, created = referral_services.referral_send(
            user=request.user,
            case=case,
            from_agency=data["from_agency"],
            to_agency=data["agency"],
            person=data["person"],
            reason=data["reason"],
            summary=data["summary"],
            basis=data["basis"],
            basis_note=data["basis_note"],
            consent=data["consent"],
            accompanied=data["accompanied"],
            key=data["submission_key"],
        )
        return Response(
            _referral_body(referral, "sender"), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class ReferralListView(Endpoint):
    scopes = {"GET": Scope.REFERRALS_READ}

    @extend_schema(
        operation_id="referral_list",
        summary="The referrals received by and sent from the caller's agency (newest first)",
        parameters=[
            OpenApiParameter("box", str, enum=["received", "sent"], required=False),
            OpenApiParameter("received", str, required=False, description="Cursor of the received page."),
            OpenApiParameter("sent", str, required=False, description="Cursor of the sent page."),
        ],
        responses={200: s.ReferralListSerializer, **BAD_INPUT, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        _roles(request, RECEIVER_ROLES, object_page=False)
        box = request.query_params.get("box", "")
        if box not in ("", "received", "sent"):
            raise ValidationError({"box": _("received か sent を指定してください。")})
        inbox = referral_selectors.referral_inbox(
            user=request.user,
            filters=referral_selectors.InboxFilters(box=box),
            params=request.query_params,
            today=timezone.localdate(),
        )
        body = {
            "received": inbox.received.rows,
            "sent": inbox.sent.rows,
            "received_next": inbox.received.next_url.split("#")[0],
            "sent_next": inbox.sent.next_url.split("#")[0],
        }
        return Response(s.ReferralListSerializer(body).data)


class ReferralDetailView(Endpoint):
    scopes = {"GET": Scope.REFERRALS_READ}

    @extend_schema(
        operation_id="referral_read",
        summary="A referral (its sending or receiving agency)",
        responses={200: s.ReferralSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        _roles(request, RECEIVER_ROLES, object_page=True)
        referral, side = referral_get_for_user(request.user, pk)
        return Response(_referral_body(referral, side))


class ReferralAnswerView(Endpoint):
    scopes = {"POST": Scope.REFERRALS_WRITE}

    @extend_schema(
        operation_id="referral_answer",
        summary="Accept or decline a referral (its receiving agency)",
        request=s.AnswerInSerializer,
        responses={200: s.ReferralSerializer, **BAD_INPUT, **CONFLICT, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        _roles(request, RECEIVER_ROLES, object_page=True)
        referral, side = referral_get_for_user(request.user, pk, side="receiver")
        given = s.AnswerInSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = _valid(AnswerForm(_drop_none(dict(given.validated_data))))
        if data["answer"] == "accept":
            referral = referral_services.referral_accept(
                user=request.user, referral=referral, expected_version=data["version"], comment=data["comment"]
            )
        else:
            referral = referral_services.referral_decline(
                user=request.user,
                referral=referral,
                expected_version=data["version"],
                decline_reason=data["decline_reason"],
                comment=data["comment"],
            )
        return Response(_referral_body(referral, side))


class PlaceListView(Endpoint):
    scopes = {"GET": Scope.PLACES_READ}

    @extend_schema(
        operation_id="place_list",
        summary="The registry of places, programmes and family associations (no personal data)",
        responses={200: s.PlaceSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        places = places_visible_to(request.user).filter(active=True).order_by("kind", "name", "pk")[:PAGE_PLACES]
        return Response(s.PlaceSerializer(places, many=True).data)


class PlaceDetailView(Endpoint):
    scopes = {"GET": Scope.PLACES_READ}

    @extend_schema(operation_id="place_read", summary="A place", responses={200: s.PlaceSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.PlaceSerializer(place_get_for_user(request.user, pk)).data)


class EventListView(Endpoint):
    scopes = {"GET": Scope.PLACES_READ}

    @extend_schema(
        operation_id="event_list",
        summary="The public events from today on (as on the public site)",
        responses={200: s.EventSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        events = public_events().select_related("agency")[:PAGE_PLACES]
        return Response(s.EventSerializer(events, many=True).data)


class NotFoundView(Endpoint):
    """Any other path under /api/v1/: the API's JSON 404 (after the token, like every endpoint),
    never the screens' HTML page."""

    permission_classes = [TokenOnly]

    @extend_schema(exclude=True)
    def get(self, request: Request, rest: str = "") -> Response:
        raise Http404

    post = put = patch = delete = get
