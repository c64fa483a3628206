-- Which page of the interviewer holds the interview's call: one interviewer may have the
-- meeting web open in several windows or devices, and only one of them may join the room
-- and publish a camera and a microphone (app/live/call_holder.py). A random id the page
-- keeps for as long as its tab lives; null until a page holds the call.
ALTER TABLE interview ADD COLUMN call_page text;
