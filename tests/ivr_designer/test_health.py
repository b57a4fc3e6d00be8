def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_login_me(client, make_org, make_user, sign_in):
    org = make_org()
    user = make_user(org, role="org_admin")
    sign_in(user)
    me = client.get("/api/me")
    assert me.status_code == 200
    assert me.json["email"] == user.email
    assert me.json["org"]["slug"] == org.slug
