from types import SimpleNamespace

import pytest

from grader.kit.verdicts import Undecided, require_host_uids


def test_ownership_is_undecided_when_the_engine_remaps_user_ids():
    require_host_uids(SimpleNamespace(userns_remap=False))
    with pytest.raises(Undecided):
        require_host_uids(SimpleNamespace(userns_remap=True))
