from models.enums import Role


def test_sign_in_page_is_vietnamese(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Đăng nhập" in response.get_data(as_text=True)


def test_signed_in_user_sees_their_role_and_unit(client, login_as, tree):
    user = login_as(Role.UNIT_HEAD, "a")
    home = client.get("/").get_data(as_text=True)
    assert user.full_name in home
    assert "Thủ trưởng đơn vị" in home and tree["a"].name in home
    assert "Cán bộ, công chức đơn vị" not in home
