-- A voice preset's pitch of 0 is the lowest pitch, no longer the engine's default: the default is
-- stored as -1. Every 0 stored so far was spoken and shown as the default, so it becomes -1.
UPDATE voice_presets SET pitch = -1 WHERE pitch = 0;
