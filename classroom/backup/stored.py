"""Every folder of the instance where a feature keeps files its rows only name.

One list for both jobs that must know them all: the worker sweeps each folder of files no row
names, and a backup carries each folder (a restore without them loses pupils' tile photos,
trusted adults' faces, the school's own pictures and recorded voices). It lives here, in the
shell below `worker`, so backup can read it without importing upwards; a new folder added to it
is swept and backed up alike.
"""

from __future__ import annotations

from classroom.parents import shared_photos
from classroom.pupils import photos as tiles
from classroom.symbols import people, pictures, recordings

STORED_FILES = (
    shared_photos.STORED,
    tiles.STORED,
    people.STORED,
    pictures.STORED,
    recordings.STORED,
)
