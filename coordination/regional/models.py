"""The models of the regional layer, gathered for Django (app label ``regional``)."""

from coordination.regional.bulletins.models import Bulletin, BulletinRead

__all__ = ["Bulletin", "BulletinRead"]
