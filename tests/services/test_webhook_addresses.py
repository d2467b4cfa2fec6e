"""Which addresses a webhook may call (literal addresses: no name service needed)."""

from __future__ import annotations

import pytest

from app.services.webhooks.addresses import UnsafeAddress, check_url

INTERNAL = ["http://127.0.0.1/", "http://127.8.9.10:8443/x", "http://10.0.0.1/",
            "http://172.31.255.255/", "http://192.168.1.1/", "http://169.254.169.254/latest",
            "http://0.0.0.0/", "http://[::1]/", "http://[fe80::1]/", "http://[fc00::1]/",
            "http://[::ffff:10.0.0.1]/", "http://224.0.0.1/", "https://localhost/"]
PUBLIC = ["http://93.184.216.34/hook", "https://[2606:4700:4700::1111]:8443/hook",
          "https://8.8.8.8/x?y=1"]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(UnsafeAddress, match="loopback, private or link-local"):
        check_url(url, allow_private=False)
    check_url(url, allow_private=True)


@pytest.mark.parametrize("url", PUBLIC)
def test_public_addresses_pass(url: str) -> None:
    check_url(url, allow_private=False)


@pytest.mark.parametrize("url", ["ftp://8.8.8.8/", "/relative", "http://", "http://8.8.8.8:99999/",
                                 "http://no-such-host.invalid/"])
def test_what_cannot_be_called_is_refused(url: str) -> None:
    with pytest.raises(UnsafeAddress):
        check_url(url, allow_private=True)
