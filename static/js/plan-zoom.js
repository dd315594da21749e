// The public floor plan as a venue map: buttons, a pinch, or ctrl + wheel (a trackpad's pinch) zoom the
// drawing inside its frame, which pans by scrolling. The SVG is resized through its width and height
// attributes, as the pages' Content-Security-Policy refuses style attributes. Without this script the plan
// keeps the readable size it is served at and scrolls in its frame.
(function () {
  "use strict";
  var STEP = 1.5;        // one button press
  var CLOSEST = 4;       // zooming in stops at this many times the served size
  var EPSILON = 1.002;

  function px(value) { return parseFloat(value) || 0; }

  function setUp(map) {
    var frame = map.querySelector(".plan-wrap");
    var svg = frame && frame.querySelector("svg.floor-plan");
    var bar = map.querySelector(".plan-zoom");
    if (!svg || !bar || !svg.viewBox || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) return;
    var box = svg.viewBox.baseVal;  // in metres
    // the scale the stylesheet shows: readable on a phone, the whole width on a wide screen
    var scale = svg.getBoundingClientRect().width / box.width;
    var served = px(svg.getAttribute("width")) / box.width || scale;
    var closest = Math.max(served, scale) * CLOSEST;
    var buttons = {
      "in": bar.querySelector("[data-zoom=in]"), out: bar.querySelector("[data-zoom=out]"),
      fit: bar.querySelector("[data-zoom=fit]")
    };
    var fitted = false;

    function inside() {  // the frame's room for the drawing; on a phone the stylesheet caps its height
      var style = getComputedStyle(frame);
      var across = px(style.borderLeftWidth) + px(style.borderRightWidth) + px(style.paddingLeft) + px(style.paddingRight);
      var down = px(style.borderTopWidth) + px(style.borderBottomWidth) + px(style.paddingTop) + px(style.paddingBottom);
      var cap = parseFloat(style.maxHeight);  // NaN for "none"
      return { left: px(style.paddingLeft), top: px(style.paddingTop), width: frame.offsetWidth - across,
               height: isNaN(cap) ? Infinity : cap - down };
    }

    function whole() {
      var room = inside();
      return Math.min((room.width - 1) / box.width, (room.height - 1) / box.height);
    }

    // Zoom to `next` pixels per metre, keeping the point under (x, y) — frame coordinates — where it is.
    function zoom(next, x, y) {
      var room = inside(), least = whole();
      next = Math.max(least, Math.min(closest, next));
      var ratio = next / scale;
      var pointX = frame.scrollLeft + x - room.left, pointY = frame.scrollTop + y - room.top;
      svg.setAttribute("width", Math.floor(box.width * next));
      svg.setAttribute("height", Math.floor(box.height * next));
      scale = next;
      fitted = scale <= least * EPSILON;
      frame.scrollLeft = pointX * ratio + room.left - x;
      frame.scrollTop = pointY * ratio + room.top - y;
      buttons.out.disabled = buttons.fit.disabled = fitted;
      buttons["in"].disabled = scale * EPSILON >= closest;
    }

    function centre(next) { zoom(next, frame.clientWidth / 2, frame.clientHeight / 2); }

    svg.setAttribute("width", Math.floor(box.width * scale));
    svg.setAttribute("height", Math.floor(box.height * scale));
    svg.classList.add("zoomable");
    frame.classList.add("zoomable");
    bar.hidden = false;
    zoom(scale, 0, 0);

    buttons["in"].addEventListener("click", function () { centre(scale * STEP); });
    buttons.out.addEventListener("click", function () { centre(scale / STEP); });
    buttons.fit.addEventListener("click", function () { zoom(0, 0, 0); });
    window.addEventListener("resize", function () {
      if (fitted || scale < whole()) zoom(fitted ? 0 : scale, 0, 0);  // a turned phone keeps the whole plan in view
    });

    frame.addEventListener("wheel", function (event) {
      if (!event.ctrlKey) return;  // a trackpad's pinch; a plain wheel scrolls
      event.preventDefault();
      var edge = frame.getBoundingClientRect();
      zoom(scale * Math.exp(-event.deltaY / 200), event.clientX - edge.left, event.clientY - edge.top);
    }, { passive: false });

    // Two fingers zoom the plan (the stylesheet leaves only panning to the browser inside the frame).
    var pinch = null, pending = null;
    function spread(touches) {
      return Math.hypot(touches[0].clientX - touches[1].clientX, touches[0].clientY - touches[1].clientY);
    }
    frame.addEventListener("touchstart", function (event) {
      if (event.touches.length === 2) pinch = { spread: spread(event.touches), scale: scale };
    }, { passive: true });
    frame.addEventListener("touchmove", function (event) {
      if (event.touches.length !== 2) return;
      if (!pinch) pinch = { spread: spread(event.touches), scale: scale };  // a second finger put down outside the frame
      event.preventDefault();
      var edge = frame.getBoundingClientRect();
      pinch.next = pinch.scale * spread(event.touches) / pinch.spread;
      pinch.x = (event.touches[0].clientX + event.touches[1].clientX) / 2 - edge.left;
      pinch.y = (event.touches[0].clientY + event.touches[1].clientY) / 2 - edge.top;
      if (pending === null) {
        var latest = pinch;
        pending = requestAnimationFrame(function () { pending = null; zoom(latest.next, latest.x, latest.y); });
      }
    }, { passive: false });
    frame.addEventListener("touchend", function (event) { if (event.touches.length < 2) pinch = null; });
    frame.addEventListener("touchcancel", function () { pinch = null; });
    frame.addEventListener("gesturestart", function (event) { event.preventDefault(); });  // Safari's own page zoom
  }

  document.querySelectorAll(".plan-map").forEach(setUp);
})();
