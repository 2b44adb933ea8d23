from partyrules.rulebook.packs import derived


@derived("broken", args=())
def broken(view):
    return [][0]
