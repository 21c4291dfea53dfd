"""A small HTTP client for tests against real servers (the live server, gunicorn processes)."""

import urllib.error
import urllib.parse
import urllib.request


class Browser:
    """A cookie-keeping HTTP client for the live server (CSRF included)."""

    def __init__(self, base_url: str, cookies: dict[str, str]):
        self.base_url = base_url
        self.cookies = dict(cookies)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)
        request.add_header("Cookie", "; ".join(f"{name}={value}" for name, value in self.cookies.items()))
        if data is not None:
            request.add_header("Referer", self.base_url + path)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                self._keep(response.headers)
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            self._keep(error.headers)
            return error.code, error.read().decode()

    def _keep(self, headers) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
