from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core.serializers import (
    PAGE_PARAMS,
    Strict,
    StrictCharField,
    StrictChoiceField,
    StrictRegexField,
)

from .models import Level, Region
from .selectors import region_list


class RegionOutput(serializers.ModelSerializer[Region]):
    # A declared field named "parent" shadows Field.parent (the enclosing serializer) in the
    # stubs; at run time the metaclass moves declared fields into _declared_fields.
    parent = serializers.CharField(source="parent_id", allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class RegionListApi(ListAPIView[Region]):
    """China's administrative regions, read-only (public reference data)."""

    permission_classes = [AllowAny]
    serializer_class = RegionOutput

    class FilterInput(Strict):
        also_accepted = PAGE_PARAMS
        level = StrictChoiceField(choices=Level.choices, required=False)
        # Shadows Field.parent in the stubs, as in RegionOutput.
        parent = StrictRegexField(r"^\d{6}$", required=False)  # type: ignore[assignment]
        search = StrictCharField(required=False, max_length=50)

    @extend_schema(
        operation_id="regions_list",
        parameters=[
            OpenApiParameter(
                "level", enum=Level.values, description="province, prefecture or county"
            ),
            OpenApiParameter("parent", description="6-digit code of the parent region"),
            OpenApiParameter("search", description="part of the name, e.g. 西湖"),
        ],
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Region]:
        filters = self.FilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return region_list(**filters.validated_data)


class RegionDetailApi(GenericAPIView[Region]):
    permission_classes = [AllowAny]
    serializer_class = RegionOutput

    @extend_schema(operation_id="regions_retrieve")
    def get(self, request: Request, code: str) -> Response:
        return Response(RegionOutput(get_object_or_404(Region, code=code)).data)
