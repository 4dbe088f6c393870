/* QI Academy SCORM 1.2 SCO: finds the LMS's API, marks the quiz here, reports status, score and time. */
(function () {
  "use strict";

  var quiz = JSON.parse(document.getElementById("quiz-data").textContent);
  var started = new Date();
  var api = null;
  var finished = false;

  // The ADL discovery algorithm: the API object is window.API on this frame or an ancestor,
  // or on the window that opened us (and its ancestors).
  function searchUp(win) {
    var tries = 0;
    try {
      while (win && !win.API && win.parent && win.parent !== win && tries < 500) {
        tries += 1;
        win = win.parent;
      }
      return win && win.API ? win.API : null;
    } catch (e) {
      return null; // a frame from another origin cannot be read
    }
  }

  function findAPI() {
    var found = searchUp(window);
    if (!found && window.opener) {
      found = searchUp(window.opener);
    }
    if (!found && window.top && window.top.opener) {
      found = searchUp(window.top.opener);
    }
    return found;
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) { s = "0" + s; }
    return s;
  }

  // CMITimespan: HHHH:MM:SS.SS (hours may not pass 9999).
  function sessionTime() {
    var cs = Math.max(0, Math.round((new Date() - started) / 10));
    var hours = Math.min(9999, Math.floor(cs / 360000));
    var minutes = Math.floor((cs % 360000) / 6000);
    var seconds = Math.floor((cs % 6000) / 100);
    return pad(hours, 4) + ":" + pad(minutes, 2) + ":" + pad(seconds, 2) + "." + pad(cs % 100, 2);
  }

  function set(name, value) {
    if (!api) { return; }
    if (String(api.LMSSetValue(name, value)) !== "true") {
      report("The learning system refused " + name + " (error " + api.LMSGetLastError() + ").");
    }
  }

  function report(text) {
    var box = document.getElementById("lms-status");
    box.textContent = text;
  }

  function start() {
    api = findAPI();
    if (!api) {
      report("This module was not opened from a learning system, so your result will not be recorded.");
      return;
    }
    if (String(api.LMSInitialize("")) !== "true") {
      report("The learning system did not start this session (error " + api.LMSGetLastError() + ").");
      api = null;
      return;
    }
    var status = api.LMSGetValue("cmi.core.lesson_status");
    if (status === "" || status === "not attempted") {
      set("cmi.core.lesson_status", "incomplete");
    }
  }

  function finish() {
    if (!api || finished) { return; }
    finished = true;
    set("cmi.core.session_time", sessionTime());
    api.LMSCommit("");
    api.LMSFinish("");
  }

  function chosen(form, qid) {
    var boxes = form.querySelectorAll("input[name='" + qid + "']");
    var ids = [];
    for (var i = 0; i < boxes.length; i += 1) {
      if (boxes[i].checked) { ids.push(boxes[i].value); }
    }
    return ids.sort();
  }

  function same(a, b) {
    return a.length === b.length && a.every(function (x, i) { return x === b[i]; });
  }

  function showErrors(missing) {
    var summary = document.getElementById("quiz-errors");
    var list = document.getElementById("quiz-error-list");
    list.textContent = "";
    missing.forEach(function (m) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#q-" + m.id;
      a.textContent = "Answer question " + m.number;
      li.appendChild(a);
      list.appendChild(li);
    });
    summary.hidden = missing.length === 0;
    if (missing.length) { summary.focus(); }
  }

  // Python's round(): halves go to the even neighbour (1 of 8 is 12%, not Math.round's 13%),
  // worked in whole numbers so no floating-point error can tip a result.
  function percent(right, total) {
    var whole = Math.floor((100 * right) / total);
    var twice = 2 * (100 * right - whole * total);
    if (twice > total || (twice === total && whole % 2 === 1)) { whole += 1; }
    return whole;
  }

  function mark(event) {
    event.preventDefault();
    var form = event.target;
    var missing = [];
    var answers = {};
    quiz.questions.forEach(function (q, i) {
      answers[q.id] = chosen(form, q.id);
      var fieldset = document.getElementById("q-" + q.id);
      fieldset.classList.toggle("qia-invalid", answers[q.id].length === 0);
      if (answers[q.id].length === 0) { missing.push({ id: q.id, number: i + 1 }); }
    });
    showErrors(missing);
    if (missing.length) { return; }

    // The same rule as the site's own marking: a question is right when exactly its correct
    // options are chosen; the score is the rounded percentage of questions right.
    var right = 0;
    quiz.questions.forEach(function (q) {
      var ok = same(answers[q.id], q.correct.slice().sort());
      if (ok) { right += 1; }
      var box = document.querySelector("#q-" + q.id + " .qia-feedback");
      box.textContent = (ok ? "Correct. " : "Not quite. ") + q.explanation;
      box.className = "qia-feedback " + (ok ? "qia-right" : "qia-wrong");
      box.hidden = false;
    });
    var score = percent(right, quiz.questions.length);
    var passed = score >= quiz.pass_mark;

    set("cmi.core.score.min", "0");
    set("cmi.core.score.max", "100");
    set("cmi.core.score.raw", String(score));
    set("cmi.core.lesson_status", passed ? "passed" : "failed");
    finish();

    var inputs = form.querySelectorAll("input, button");
    for (var i = 0; i < inputs.length; i += 1) { inputs[i].disabled = true; }
    var result = document.getElementById("quiz-result");
    result.className = "qia-panel " + (passed ? "qia-passed" : "qia-failed");
    result.textContent = "You scored " + score + "% (" + right + " of " + quiz.questions.length +
      " right). " + (passed ? "You passed." : "You need " + quiz.pass_mark + "% to pass: review the sections, then open the module again to try again.") +
      (api ? " Your result has been sent to your learning system." : "");
    result.dataset.score = String(score);
    result.hidden = false;
    result.focus();
  }

  document.getElementById("quiz-form").addEventListener("submit", mark);
  // Leaving before the quiz still records the time spent (status stays incomplete).
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
  start();
})();
