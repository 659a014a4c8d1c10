from tepat.core.request_context import get_request_id, new_request_id, reset_request_id, set_request_id


def test_request_id_is_set_and_reset():
    assert get_request_id() is None
    token = set_request_id("abc12345")
    try:
        assert get_request_id() == "abc12345"
    finally:
        reset_request_id(token)
    assert get_request_id() is None


def test_new_request_ids_are_unique_hex():
    first, second = new_request_id(), new_request_id()

    assert first != second
    assert len(first) == 32
    int(first, 16)
