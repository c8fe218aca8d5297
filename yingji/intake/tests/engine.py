"""What the engine's `intake.notices` pass does, run at the test's clock."""

from django.utils import timezone

from yingji.intake import services


def tell() -> int:
    return services.tell_due(now=timezone.now())
