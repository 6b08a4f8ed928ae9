"""Whether the person behind a browser can upgrade it at all (`notify_unupgradable=False` keeps
quiet where they cannot).

- Windows XP, Vista, 7, 8 and 8.1, macOS 10.14 and older: no current Firefox, Chrome or Edge runs
  there (the notices already say so: `notice._build._no_current_browsers`).
- iOS and iPadOS: every browser is the system's WebKit, so only an iOS update helps, and some
  devices get none. Apple ships a last point release to the devices it leaves behind, after the
  next major is out, and only to them: iOS 9.3.5/9.3.6 (iPhone 4s, 2016/2019), 10.3.4 (iPhone 5,
  5c, 2019), 12.5 (iPhone 5s, 6, 6 Plus, 2021-), 15.8 (iPhone 6s, 7, SE 1st gen, 2023-), 16.7
  (iPhone 8, X, 2023-). A device that reports one of these (or a later fix of it) cannot go
  further. Earlier releases of the same major could still be updated on that device, and a device
  that could run the next major would normally be offered it, so they are not counted. iOS 16.7
  was also offered to newer devices as an alternative to 17: a person there can upgrade but chose
  not to; staying silent for them is the smaller harm. iOS 18 is left out: the iPhone XS and XR
  stop at it, but from the User-Agent 18.7 cannot be told apart from a device that can run 26.
"""

from __future__ import annotations

from ._model import Client
from .notice._build import _no_current_browsers

# major -> (minor, patch): the first release of that major Apple shipped only to devices it left behind
_LAST_IOS_FOR_SOME_DEVICES = {9: (3, 5), 10: (3, 4), 12: (5, 0), 15: (8, 0), 16: (7, 0)}


def can_upgrade(client: Client) -> bool:
    """False when no browser that meets a current policy can be had on this device."""
    if client.on_ios:
        return not _stuck_ios(client.os_version)
    return not _no_current_browsers(client)


def _stuck_ios(version: str | None) -> bool:
    if not version:
        return False
    try:
        numbers = [int(part) for part in version.split(".")[:3]]
    except ValueError:
        return False
    major, rest = numbers[0], (*numbers[1:], 0, 0)[:2]
    last = _LAST_IOS_FOR_SOME_DEVICES.get(major)
    return last is not None and rest >= last
