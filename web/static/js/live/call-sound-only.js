// Calls with sound only from the start: one side joined without a camera (missing, or taken
// by another program: janus-room.js askMedia). That side sends no video at all, so:
// - its page tells the other side why (PROTOCOL.md, `devices`: camera off, with the
//   problem), through `soundOnlyProblem`;
// - the other side's page takes a feed of sound alone as the person being there
//   (`SoundOnlyFeed`): its own sound is all that will come. Otherwise a feed's tracks come
//   one by one, sound first, and a feed without video is waited out (call-view.js).
// docs/calls.md, "Sound only from the start".

// The own `sending` of a call without a camera (video-sender.js), and the `devices` problem
// it is told to the other side as.
const PROBLEM_OF = { "audio-only:no-camera": "no_camera", "audio-only:camera-in-use": "in_use" };

export function soundOnlyProblem(sending) {
  return PROBLEM_OF[sending] ?? null;
}

// How long a feed of sound alone is waited out for its video, when the other side's page has
// not (yet) said that no camera comes: a feed's video track follows its sound within a
// moment; after this long, the person is there with sound only all the same (their page's
// word may be lost with its socket).
export const SOUND_ONLY_AFTER_MS = 2000;

export class SoundOnlyFeed {
  // show(stream, attempt): take the stream as the other person's, present.
  constructor(show) {
    this.show = show;
    this.pending = null;
    this.timer = null;
  }

  // A feed's stream with sound and no video. `noCamera`: their page said so already.
  offer(stream, attempt, noCamera) {
    this.forget();
    this.pending = { stream, attempt };
    if (noCamera) this.take();
    else this.timer = setTimeout(() => this.take(), SOUND_ONLY_AFTER_MS);
  }

  // Their page said that no camera comes: a feed waited out is theirs now.
  told() {
    if (this.pending) this.take();
  }

  take() {
    const pending = this.pending;
    this.forget();
    if (!pending) return;
    const { stream, attempt } = pending;
    // Their video came meanwhile (it is shown the usual way), or the sound went too.
    if (stream.getVideoTracks().length || !stream.getAudioTracks().length) return;
    this.show(stream, attempt);
  }

  forget() {
    clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }
}
