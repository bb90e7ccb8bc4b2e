"""The media pipeline: ffmpeg (through ffmpeg-python) turns an uploaded radio or TV cut
into renditions a listener on a cheap phone and a slow link can play.

`probe` reads and vets the original, `renditions` writes the files, `services` stores
them and keeps the asset's processing state."""
