from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    TECHNOLOGY = "technology", _("Technology")
    BUSINESS = "business", _("Business")
    FUNCTIONAL = "functional", _("Functional")


class PersonKind(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    VENDOR = "vendor", _("Vendor staff")  # R-SCOPE-2
    EXTERNAL_EXPERT = "external_expert", _("External expert")  # R-ORG-2


class Language(models.TextChoices):
    """Languages a person reads notices in; each is named in itself, as language pickers do."""

    ZH_HANS = "zh-hans", "简体中文"
    ZH_HANT = "zh-hant", "繁體中文"
    EN = "en", "English"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")


class GroupKind(models.TextChoices):
    LEADERSHIP = "leadership", _("Leadership group")  # R-ORG-1
    OFFICE = "office", _("Leadership group office")  # R-ACT-2: coordinates and sends notices
    EXPERT = "expert", _("Technical expert group")  # R-ORG-2
    EXECUTION = "execution", _("Execution group")  # R-ORG-3


# Kinds of which the organisation has exactly one (execution groups are formed per scenario).
SINGLE_GROUP_KINDS = (GroupKind.LEADERSHIP, GroupKind.OFFICE, GroupKind.EXPERT)


class Scenario(models.TextChoices):
    """Event categories (R-PLAN-1); execution groups are formed per scenario (R-ORG-3)."""

    INFORMATION_SYSTEM = "information_system", _("Information-system failure")
    NETWORK_SECURITY = "network_security", _("Network-security incident")
    FACILITY = "facility", _("Technical-facility failure")
    OTHER = "other", _("Other")


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader")  # 组长
    DEPUTY_LEADER = "deputy_leader", _("Deputy leader")  # 副组长
    MEMBER = "member", _("Member")


class Specialty(models.TextChoices):
    NONE = "", _("—")
    OPERATIONS = "operations", _("Operations")
    SECURITY = "security", _("Security")
    BUSINESS = "business", _("Business coordination")
    TECHNICAL = "technical", _("Technical analysis")
    COORDINATION = "coordination", _("Coordination and notices")
