-- Which page of an interviewer last said it has their call (`call_here`, app/live/actions.py;
-- docs/calls.md, "One page in the call"): the mark that page made for its notice. A page
-- whose socket was down says it again when it is back only if no other page has said it
-- since: otherwise the interviewer went on on another device meanwhile (Continue here
-- there), whose notice the page that was away never heard, and that page stays out.
ALTER TABLE interviewer_presence ADD COLUMN call_mark text;
