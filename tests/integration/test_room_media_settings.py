"""Each interview's room is created with the media settings ops chose (README, "Tuning
Janus"): read back from the real Janus."""

from __future__ import annotations

from app.janus.pool import JanusPool
from app.janus.rooms import destroy_room, list_rooms


async def created_as(settings) -> dict:
    pool = JanusPool(settings.janus)
    pool.start()
    try:
        connection = pool.connections["janus1"]
        await connection.wait_ready(20)
        room = await pool.create_private_room(participants=2, description="media settings test")
        try:
            rooms = await list_rooms(connection, pool.admin_key)
            return next(r for r in rooms if r["room"] == room.room_id)
        finally:
            await destroy_room(connection, room.room_id, room.secret)
    finally:
        await pool.stop()


async def test_rooms_have_the_bitrate_cap_codecs_and_key_frame_interval_of_the_settings(settings):
    janus = settings.janus.model_copy(
        update={
            "room_bitrate": 300_000,
            "room_video_codec": "h264,vp8",
            "room_audio_codec": "opus",
            "room_fir_freq": 7,
            "room_audiolevel_event": True,
        }
    )
    listed = await created_as(settings.model_copy(update={"janus": janus}))
    assert listed["bitrate"] == 300_000 and listed.get("bitrate_cap") is True
    assert listed["videocodec"] == "h264,vp8" and listed["audiocodec"] == "opus"
    assert listed["fir_freq"] == 7
    assert listed.get("audiolevel_event") is True


async def test_the_defaults_cap_video_at_a_megabit(settings):
    listed = await created_as(settings)
    assert listed["bitrate"] == 1_000_000 and listed["fir_freq"] == 10
    assert listed["videocodec"] == "vp8,h264,vp9" and not listed.get("audiolevel_event")
