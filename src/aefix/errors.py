"""Exceptions raised by the aefix library; the CLI turns them into one-line errors.

AefixError
 +-- SetupError          bad settings, missing model, unreadable SRC: nothing was processed
 |    +-- ModelError     model file missing, corrupt or unknown
 +-- LockedError         another run holds DST's lock: not started
 +-- DestinationError    DST cannot be written (read-only, full): the batch stops
 +-- ImageError          one image could not be processed; the batch goes on
      +-- DecodeError    the file is not a readable image (zero bytes, truncated, wrong format)
      +-- ImageLimitError  the image breaks a documented limit (pixel count, tiny size)
      +-- NoProductError  segmentation found no product in the image
"""


class AefixError(Exception):
    """Base class of every error aefix raises on purpose."""


class SetupError(AefixError):
    """The run cannot start: settings, model or source folder are wrong."""


class ModelError(SetupError):
    """The segmentation model file is missing, corrupt or unknown."""


class ImageError(AefixError):
    """One image could not be processed; the batch goes on."""


class DecodeError(ImageError):
    """The file is not a readable image."""


class ImageLimitError(ImageError):
    """The image is outside the sizes aefix accepts."""


class NoProductError(ImageError):
    """Segmentation found no product in the image."""


class LockedError(AefixError):
    """Another run holds the output folder's lock."""


class DestinationError(AefixError):
    """The output folder cannot be written (read-only, full, gone): the batch stops."""
