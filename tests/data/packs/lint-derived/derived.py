from partyrules.rulebook.packs import OMITTED, Unknown, derived


@derived("branch_count", args=())
def branch_count(view):
    """How many branches the unit has."""
    if view.facts.organizations is OMITTED:
        return Unknown.of("organizations")
    return sum(1 for o in view.orgs.values() if o.kind == "branch")


@derived("has_secretary", args=("organization",))
def has_secretary(view, org):
    """The organization has a secretary (unknown when it was omitted)."""
    secretary = view.get(org, "secretary")
    return secretary if isinstance(secretary, Unknown) else secretary is not None
