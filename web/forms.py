from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from consensus.models import Point
from debates.models import Session, Topic, Visibility
from debates.selectors import session_ancestor_ids


class PositionForm(forms.Form):
    text = forms.CharField(label=_("Position"), widget=forms.Textarea(attrs={"rows": 6}))
    summary = forms.CharField(label=_("Summary"), max_length=500, required=False)
    red_lines = forms.CharField(
        label=_("Red lines"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    proposed_language = forms.CharField(
        label=_("Proposed language"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.DELEGATION
    )
    # The version this revision starts from (0 for a first position).
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, topic: Topic) -> str:
        return topic.localized_name(get_language() or "en")


class AgendaItemForm(forms.Form):
    topic = TopicChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.filter(parent__isnull=False).order_by("category", "code"),
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    objective = forms.CharField(
        label=_("Objective (outcome sought)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    urgency = forms.IntegerField(label=_("Urgency (1-5)"), min_value=1, max_value=5, initial=3)
    minutes = forms.IntegerField(
        label=_("Minutes allotted"), min_value=1, max_value=1440, initial=30
    )


class PointForm(forms.Form):
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Point.Kind.choices)
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.ChoiceField(
        label=_("Status"), choices=Point.Status.choices, initial=Point.Status.CONFIRMED
    )
    carried_from = forms.ModelChoiceField(
        label=_("Continues a point from the brief"), queryset=None, required=False
    )
    carry_status = forms.ChoiceField(
        label=_("What became of it"),
        choices=[("", "-")] + [c for c in Point.CarryStatus.choices if c[0] != "new"],
        required=False,
    )

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = session.agenda_items.select_related("topic")
        # The points a brief of this session can show: confirmed, from the sessions it
        # builds on.
        self.fields["carried_from"].queryset = Point.objects.filter(
            session_id__in=session_ancestor_ids(session.pk), status=Point.Status.CONFIRMED
        ).select_related("session")
        self.fields["carried_from"].label_from_instance = lambda p: (
            f"{p.session.title}: {p.statement[:80]}"
        )

    def cleaned(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("carry_status"):
            data.pop("carry_status", None)
        return data
