import pytest
from django.core.management import call_command
from django.db.models import Count

from venues.models import Friendship, Interest, Member, MemberCategory, Venue


def snapshot():
    return (
        list(
            Venue.objects.values_list(
                "id", "position", "name", "category", "latitude", "interested_count"
            )
        ),
        list(Interest.objects.order_by("member", "venue").values_list("member", "venue")),
        list(Friendship.objects.order_by("member", "friend").values_list("member", "friend")),
    )


@pytest.mark.django_db
def test_generate_demo_data_for_luna_is_consistent_and_deterministic(capsys):
    call_command("generate_demo_data", "--scale", "0.0005", "--only", "luna", "--seed", "7")

    assert (
        Member.objects.count(),
        MemberCategory.objects.count(),
        Venue.objects.count(),
        Interest.objects.count(),
        Friendship.objects.count(),
    ) == (50, 100, 5, 125, 250)
    counted = dict(Venue.objects.annotate(n=Count("interests")).values_list("id", "n"))
    assert dict(Venue.objects.values_list("id", "interested_count")) == counted
    assert "generate_demo_data: 530 rows" in capsys.readouterr().out
    first = snapshot()

    for model in (Friendship, Interest, MemberCategory, Venue, Member):
        model.objects.all().delete()
    call_command("generate_demo_data", "--scale", "0.0005", "--only", "luna", "--seed", "7")

    assert snapshot() == first


@pytest.mark.django_db
def test_demo_data_answers_through_the_api(api_client, django_assert_num_queries):
    call_command("generate_demo_data", "--scale", "0.0005", "--only", "luna")

    with django_assert_num_queries(5):  # the first request reads the venue details
        response = api_client.get("/luna/recommendations?user_id=demo_user_0")

    assert len(response.json()["recommendations"]) == 5
