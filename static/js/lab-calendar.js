// The lab's calendars (training/views_calendar.py): one resource's week, or every kiln
// side by side, drawn by the vendored EventCalendar from calendar.json. Settings come in
// data- attributes of #lab-calendar. Picking a free time opens the booking page with
// ?start=&end= in Bangkok time; without JavaScript the page's list view does the same.
(function () {
  "use strict";

  var TZ = "+07:00"; // Asia/Bangkok, whatever the browser's own time zone
  var PHONE = 576; // narrower than this: one day at a time

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // "YYYY-MM-DDTHH:MM" from a Date the calendar gives in its time zone. EventCalendar's
  // dates hold the wall-clock time of `timeZone` in their UTC fields.
  function wallClock(date) {
    return (
      date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate()) +
      "T" + pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes())
    );
  }

  function overlaps(event, start, end) {
    return event.start < end && event.end > start;
  }

  function covers(event, start, end) {
    return event.start <= start && event.end >= end;
  }

  function kindOf(event) {
    return (event.extendedProps && event.extendedProps.kind) || "";
  }

  function belongsTo(event, resourceId) {
    if (resourceId === undefined || resourceId === null) return true;
    var ids = (event.resourceIds || []).map(String);
    return ids.length === 0 || ids.indexOf(String(resourceId)) !== -1;
  }

  // Free when inside opening hours and clear of bookings, cool-downs and blackouts.
  function isFree(calendar, start, end, resourceId) {
    var events = calendar.getEvents().filter(function (e) {
      return belongsTo(e, resourceId);
    });
    var open = events.some(function (e) {
      return kindOf(e) === "free" && covers(e, start, end);
    });
    var taken = events.some(function (e) {
      return kindOf(e) !== "free" && overlaps(e, start, end);
    });
    return open && !taken;
  }

  function init(el) {
    if (!window.EventCalendar) return;
    var resources = JSON.parse(el.dataset.resources || "[]");
    var texts = JSON.parse(el.dataset.texts || "{}");
    var locale = el.dataset.locale || "th-TH-u-ca-buddhist";
    var multi = el.dataset.view === "resources";
    var status = document.getElementById("lab-calendar-status");
    var hint = document.querySelector(".nc-lab-hint");
    if (hint) hint.hidden = false;
    var byId = {};
    resources.forEach(function (r) {
      byId[String(r.id)] = r;
    });

    function say(text) {
      if (status) status.textContent = text || "";
    }

    function go(start, end, resource) {
      var target = resource ? byId[String(resource.id)] : resources[0];
      if (!target) return;
      var minEnd = new Date(start.getTime() + target.min * 60000);
      if (end < minEnd) end = minEnd;
      if (!isFree(calendar, start, end, resource ? resource.id : null)) {
        say(texts.notFree);
        return;
      }
      window.location.assign(
        target.book + "?start=" + wallClock(start) + "&end=" + wallClock(end)
      );
    }

    function pickView(width) {
      if (multi) return width < PHONE ? "resourceTimeGridDay" : "resourceTimeGridWeek";
      return width < PHONE ? "timeGridDay" : "timeGridWeek";
    }

    var hour = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    var views = multi
      ? "resourceTimeGridDay,resourceTimeGridWeek"
      : "timeGridDay,timeGridWeek";
    var calendar = EventCalendar.create(el, {
      view: pickView(window.innerWidth),
      locale: locale,
      timeZone: TZ,
      firstDay: 1,
      height: "auto",
      allDaySlot: false,
      nowIndicator: true,
      selectable: true,
      selectLongPressDelay: 300,
      slotDuration: el.dataset.slot || "00:30",
      slotMinTime: el.dataset.minTime || "07:00",
      slotMaxTime: el.dataset.maxTime || "21:00",
      slotLabelFormat: hour,
      eventTimeFormat: hour,
      dayHeaderFormat:
        window.innerWidth < PHONE
          ? { weekday: "long", day: "numeric", month: "short" }
          : { weekday: "short", day: "numeric" },
      resources: resources.map(function (r) {
        return { id: r.id, title: r.title };
      }),
      headerToolbar: { start: "prev,next today", center: "title", end: views },
      buttonText: function (defaults) {
        return Object.assign({}, defaults, {
          today: texts.today,
          timeGridDay: texts.day,
          timeGridWeek: texts.week,
          resourceTimeGridDay: texts.day,
          resourceTimeGridWeek: texts.week,
          prev: texts.prev,
          next: texts.next,
        });
      },
      eventSources: [
        {
          url: el.dataset.eventsUrl,
          extraParams: {
            resources: resources.map(function (r) {
              return r.id;
            }).join(","),
          },
        },
      ],
      loading: function (isLoading) {
        say(isLoading ? texts.loading : "");
      },
      select: function (info) {
        go(info.start, info.end, info.resource);
      },
      dateClick: function (info) {
        go(info.date, info.date, info.resource);
      },
      eventClick: function (info) {
        var url = info.event.extendedProps && info.event.extendedProps.url;
        if (url) window.location.assign(url);
        else say(texts.notFree);
      },
    });

    var wasPhone = window.innerWidth < PHONE;
    window.addEventListener("resize", function () {
      var phone = window.innerWidth < PHONE;
      if (phone !== wasPhone) {
        wasPhone = phone;
        calendar.setOption("view", pickView(window.innerWidth));
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("lab-calendar");
    if (el) {
      try {
        init(el);
      } catch (error) {
        var status = document.getElementById("lab-calendar-status");
        var texts = JSON.parse(el.dataset.texts || "{}");
        if (status) status.textContent = texts.failed || "";
        throw error;
      }
    }
  });
})();
