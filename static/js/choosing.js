/* Hearing an answer card (or a lesson tile) before choosing it.
 *
 * A speaker button on a card (data-speak) says the card and never chooses it. Where staff set
 * "hear then choose" for the pupil (data-card-choosing="hear_first" on the screen), the first
 * tap, Enter or Space on a card says it and a second on the same card chooses it; a tap on
 * another card says that one instead. The worry flow's cards (labels round a radio) too: a
 * first tap leaves the radio unchosen, so the flow does not move on. Only the speech clip is fetched on the first tap: the
 * choice is still the card's own form post (or link), judged by the server as before.
 * No framework; nothing inline (CSP).
 */
(function () {
  "use strict";

  var scope = document.querySelector("[data-card-choosing]");
  var hearFirst = !!scope && scope.getAttribute("data-card-choosing") === "hear_first";
  var CARDS = ".choice-grid .choice-card, .lesson-tile";
  var heard = null;  // the card said last: the next tap on it chooses

  function words(el) {
    return el.getAttribute("data-hear") || el.getAttribute("data-speak") ||
      (el.textContent || "").replace(/\s+/g, " ").trim();
  }

  function say(text) {
    if (!window.classroomSpeech) { return; }
    window.classroomSpeech.speak(text, null, null).catch(function () { return null; });
  }

  function markHeard(card) {
    if (heard) { heard.classList.remove("is-heard"); }
    heard = card;
    if (card) { card.classList.add("is-heard"); }
    document.body.setAttribute("data-heard", card ? words(card) : "");
  }

  // Capture, so a word inside a card is not also said on its own, and the card is not chosen.
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var speaker = target && target.closest("[data-speak]");
    if (speaker) {
      event.preventDefault();
      event.stopPropagation();
      say(words(speaker));
      return;
    }
    var card = hearFirst && target ? target.closest(CARDS) : null;
    if (!card || !scope.contains(card) || card === heard) { return; }
    event.preventDefault();
    event.stopPropagation();
    markHeard(card);
    say(words(card));
  }, true);
})();
