"""The home page: in French, with the way in, and the operator's legal identity in the footer."""

import pytest


@pytest.mark.django_db
def test_home_is_in_french_and_explains_how_to_join(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="fr">' in html
    assert "lien pour vous inscrire" in html
    assert "CONNEXION" in html
    assert "J'ai oublié mon mot de passe" in html


@pytest.mark.django_db
def test_footer_carries_the_operator_identity_as_in_the_seed(client):
    html = client.get("/").text
    for text in (
        "Zone Actipolis 1 - 24 A Route Départementale 201 - 68390 SAUSHEIM",
        "03 89 56 50 25",
        "accueil@ceplusservices.fr",
        "Inscrite au Registre du T.I. de Mulhouse Vol. 87 Folio n°146",
        "SIRET 398 899 559 00049",
        "APE 9499Z",
    ):
        assert text in html
    for path in (
        "/documents/mentions-legales/",
        "/documents/cgu/",
        "/documents/cgv/",
        "/documents/reglement/",
    ):
        assert f'href="{path}"' in html


@pytest.mark.django_db
def test_pages_have_landmarks_and_a_skip_link(client):
    html = client.get("/").text
    assert 'href="#contenu"' in html
    assert '<main id="contenu"' in html
    assert "<header" in html
    assert "<footer" in html
    assert "<nav" in html


@pytest.mark.django_db
def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.text
