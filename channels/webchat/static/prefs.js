// Web chat: the reader's 大字 choice, applied before the page is drawn (chat.js keeps it).
"use strict";
try {
  if (localStorage.getItem("banshi.big") === "1") document.documentElement.classList.add("big");
} catch (error) { /* storage blocked: standard text */ }
