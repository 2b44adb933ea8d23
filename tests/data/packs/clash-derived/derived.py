from partyrules.rulebook.packs import derived


@derived("full_members", args=("organization",))
def my_full_members(view, org):
    return 0
