from .agencies import (
    DEPARTMENT_OFFICER_GROUP,
    Agency,
    AgencyRole,
    Outlet,
    OutletKind,
    OutletOwnership,
    Role,
    StaffProfile,
)
from .media import MediaAsset
from .pages import (
    HomePage,
    PrimaryFormat,
    SectionPage,
    StoryByline,
    StoryCorrection,
    StoryPage,
    StoryTag,
)
from .places import Place, PlaceKind
from .planning import (
    OPEN_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentStatus,
    Commission,
    Format,
    Priority,
)

__all__ = [
    "DEPARTMENT_OFFICER_GROUP",
    "OPEN_ASSIGNMENT_STATUSES",
    "Agency",
    "AgencyRole",
    "Assignment",
    "AssignmentStatus",
    "Commission",
    "Format",
    "HomePage",
    "MediaAsset",
    "Outlet",
    "OutletKind",
    "OutletOwnership",
    "Place",
    "PlaceKind",
    "PrimaryFormat",
    "Priority",
    "Role",
    "SectionPage",
    "StaffProfile",
    "StoryByline",
    "StoryCorrection",
    "StoryPage",
    "StoryTag",
]
