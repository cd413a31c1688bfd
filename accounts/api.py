"""Sign-in, the person asking (`/me/`), and people (admins)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import User
from config.api import errors
from config.throttles import SignInThrottle
from debates import rules
from debates.selectors import user_session_roles


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token."""

    permission_classes = [AllowAny]
    throttle_classes = [SignInThrottle]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            **errors(400, 429),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class UserSerializer(serializers.ModelSerializer):
    is_admin = serializers.BooleanField(source="is_staff", read_only=True)
    # A person may have no email: allow_blank makes the schema say "" as well.
    email = serializers.EmailField(read_only=True, allow_blank=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "display_name", "language", "is_admin"]
        read_only_fields = fields


class UserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    display_name = serializers.CharField(
        required=False, allow_blank=True, max_length=150, default=""
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, default="en")


class SessionRolesSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    roles = serializers.ListField(child=serializers.CharField())


class MeSerializer(UserSerializer):
    sessions = SessionRolesSerializer(many=True, read_only=True)

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "sessions"]
        read_only_fields = fields


class MeView(APIView):
    @extend_schema(responses={200: MeSerializer, **errors(401)}, tags=["auth"])
    def get(self, request):
        """The person asking, and their roles in each session they belong to."""
        roles = user_session_roles(user=request.user)
        user = request.user
        user.sessions = [
            {"session": session_id, "roles": sorted(found)}
            for session_id, found in sorted(roles.items())
        ]
        return Response(MeSerializer(user).data)


class AdminOnlyMixin:
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not rules.is_admin(request.user):
            raise PermissionDenied("Only an admin may manage people.")


@extend_schema(tags=["people"])
class UserListView(AdminOnlyMixin, generics.ListCreateAPIView):
    serializer_class = UserSerializer
    queryset = User.objects.order_by("username")

    @extend_schema(responses={200: UserSerializer(many=True), **errors(401, 403)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=UserCreateSerializer, responses={201: UserSerializer, **errors(400, 401, 403)}
    )
    def post(self, request, *args, **kwargs):
        data = UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_create(actor=request.user, **data.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["people"], responses={200: UserSerializer, **errors(401, 403, 404)})
class UserDetailView(AdminOnlyMixin, generics.RetrieveAPIView):
    serializer_class = UserSerializer
    queryset = User.objects.all()
