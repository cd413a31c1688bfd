"""The recipient's inbox: GET /notifications/, POST /notifications/{id}/read/."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import errors
from notifications import selectors, services
from notifications.messages import describe
from notifications.models import EventKind, Notification


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="event.kind", read_only=True)
    session = serializers.IntegerField(source="event.session_id", read_only=True)
    object_type = serializers.CharField(source="event.object_type", read_only=True)
    object_id = serializers.CharField(source="event.object_id", read_only=True)
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "session",
            "object_type",
            "object_id",
            "title",
            "body",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields

    def _described(self, notification: Notification) -> tuple[str, str]:
        # Title and body come from one rendering of the event.
        if not hasattr(notification, "described"):
            notification.described = describe(notification.event)
        return notification.described

    def get_title(self, notification: Notification) -> str:
        return self._described(notification)[0]

    def get_body(self, notification: Notification) -> str:
        return self._described(notification)[1]


class InboxPage(serializers.Serializer):
    count = serializers.IntegerField()
    unread = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NotificationSerializer(many=True)


@extend_schema(tags=["notifications"])
class NotificationListView(generics.ListAPIView):
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self):
        return selectors.inbox(user=self.request.user)

    @extend_schema(responses={200: InboxPage, **errors(401)})
    def get(self, request, *args, **kwargs):
        """Your notifications, newest first, in your language; `unread` counts the
        unread ones. Queries: count, unread count, the page with its events."""
        response = super().get(request, *args, **kwargs)
        response.data["unread"] = selectors.unread_count(user=request.user)
        return response


@extend_schema(tags=["notifications"])
class NotificationReadView(APIView):
    @extend_schema(
        request=None,
        responses={200: NotificationSerializer, **errors(401, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Mark one of your notifications read."""
        notification = get_object_or_404(selectors.inbox(user=request.user), pk=pk)
        notification = services.notification_mark_read(user=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    in_app = serializers.BooleanField(default=True)
    email = serializers.BooleanField(default=True)


@extend_schema(tags=["notifications"])
class PreferenceView(APIView):
    """Your channels per kind of event: in-app and email (webhooks are a dialogue's,
    set by admins)."""

    @extend_schema(responses={200: PreferenceSerializer(many=True), **errors(401)})
    def get(self, request: Request) -> Response:
        return Response(
            PreferenceSerializer(selectors.preferences(user=request.user), many=True).data
        )

    @extend_schema(
        request=PreferenceSerializer(many=True),
        responses={200: PreferenceSerializer(many=True), **errors(400, 401)},
    )
    def put(self, request: Request) -> Response:
        data = PreferenceSerializer(data=request.data, many=True)
        data.is_valid(raise_exception=True)
        services.preferences_set(user=request.user, items=data.validated_data)
        return Response(
            PreferenceSerializer(selectors.preferences(user=request.user), many=True).data
        )
