"""Services partenaires: CE+ Services' other systems that members reach with the portal's
sign-in, the portal being their OpenID Connect provider (allauth's ``allauth.idp.oidc``).

``access`` says who may sign in and which tiles a member sees, ``adapter`` what the tokens say
(allauth's extension point), ``views`` the authorization pages (allauth's, extended: the
member's status, PKCE, the consent kept), ``middleware`` their Content-Security-Policy.
"""
