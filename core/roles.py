"""The roles a user can hold: what an Actor carries, so every module checks rights the same way."""

import enum


class Role(str, enum.Enum):
    admin = "admin"
    organizer = "organizer"
    salespoint_manager = "salespoint_manager"
    producer = "producer"
    viewer = "viewer"
