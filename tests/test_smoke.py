

def test_sign_in_page_is_vietnamese(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Đăng nhập" in response.get_data(as_text=True)


def test_signed_in_user_sees_their_role(login_as):
    pass
