"""The sandbox's Mangopay: natural users created and viewed."""

import pytest


def test_natural_user_create_and_view(mp):
    user = mp.user()
    assert user["Id"].startswith("user_m_") and isinstance(user["CreationDate"], int)
    assert user["PersonType"] == "NATURAL" and user["Email"] == "jody@example.com"
    for path in (f"/users/{user['Id']}", f"/users/natural/{user['Id']}", f"/Users/Natural/{user['Id']}"):
        r = mp.call("GET", path)
        assert r.status_code == 200 and r.json() == user


@pytest.mark.parametrize("body,field", [
    ({"LastName": "B", "Email": "a@example.com"}, "FirstName"),
    ({"FirstName": "A", "Email": "a@example.com"}, "LastName"),
    ({"FirstName": "A", "LastName": "B", "Email": "not-an-email"}, "Email"),
    ({"FirstName": 7, "LastName": "B", "Email": "a@example.com"}, "FirstName"),
    ({"FirstName": "A", "LastName": "B", "Email": "a@example.com", "UserCategory": "BOSS"}, "UserCategory"),
])
def test_natural_user_bad_input(mp, body, field):
    r = mp.call("POST", "/users/natural", json=body)
    assert r.status_code == 400
    assert r.json()["Type"] == "param_error" and field in r.json()["errors"]
