// The chat page. Every string from the network is rendered with textContent, never as HTML.
import { AeroClient } from "/aero-client.js";

const $ = (id) => document.getElementById(id);
const NICK = /^[\p{L}\p{N}][\p{L}\p{N}_ .-]{0,23}$/u;
const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;

let client;
let room;
let nick;
let epoch;
let leaveRoom = () => {};
const typing = new Map(); // nick → timer
const members = new Map(); // session → nick
let lastTypingSent = 0;

$("join").addEventListener("submit", (event) => {
  event.preventDefault();
  const wanted = $("nick").value.normalize("NFC").trim();
  if (!NICK.test(wanted)) return notice("Nicknames: letters, digits, _ . - and spaces (24 max).");
  start(wanted, $("room").value).catch((error) => notice(error.message));
});

$("send").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value;
  if (text.trim() === "") return;
  $("text").value = "";
  lastTypingSent = 0; // the next keystroke starts a new typing notice
  // While disconnected the request waits in the offline queue and goes out on reconnection.
  client.request("chat.send", { room, text }).catch((error) =>
    notice(`Not sent: ${error.message}`)
  );
});

$("text").addEventListener("input", () => {
  const now = Date.now();
  if (now - lastTypingSent < 1_500 || client?.state !== "open") return;
  lastTypingSent = now;
  client.request("chat.typing", { room }).catch(() => {});
});

async function start(wantedNick, wantedRoom) {
  await client?.close();
  nick = wantedNick;
  client = new AeroClient(wsUrl, {
    connectData: { nick },
    reconnect: { base: 250, max: 4_000 },
    keepalive: { interval: 10_000, timeout: 5_000 },
    offlineQueue: { maxSize: 100, policy: "reject" },
  });
  globalThis.chatClient = client;
  client.on("state", (change) => {
    renderStatus(change);
    if (change.state === "open") enter();
    if (change.state === "closed" && change.reason === "forbidden") {
      notice("The server refused this nickname.");
    }
  });
  client.on("recovery", (event) => {
    if (event.topic !== `chat.${room}` || event.recovered) return;
    notice("Some messages may have been missed: history reloaded.");
    loadHistory().catch(() => {});
  });
  client.on("resumed", (event) => {
    if (event.complete) notice("Reconnected: no message missed.");
  });
  client.on("presence", (event) => {
    if (event.topic !== `chat.${room}`) return;
    if (event.type === "joined") members.set(event.member.session, event.member.data?.nick ?? "?");
    else members.delete(event.member.session);
    renderMembers();
  });
  await enterRoom(wantedRoom);
}

async function enterRoom(wantedRoom) {
  leaveRoom();
  room = wantedRoom;
  epoch = undefined;
  members.clear();
  $("messages").replaceChildren();
  $("room-title").textContent = `#${room}`;
  $("join").hidden = true;
  $("chat").hidden = false;
  location.hash = room;
  const messages = client.subscribe(`chat.${room}`, (message, info) => {
    addMessage({ ...message, offset: info.offset }, info.epoch);
  });
  const typingNotices = client.subscribe(`typing.${room}`, ({ nick: who }) => showTyping(who));
  leaveRoom = () => {
    messages();
    typingNotices();
    client.request("chat.leave", { room }).catch(() => {});
  };
  await messages.ready;
  $("text").focus();
  await loadHistory();
}

// Runs on every (re)connection: presence does not survive a connection, so enter again.
async function enter() {
  try {
    await client.request("chat.enter", { room });
    const list = await client.presence(`chat.${room}`);
    members.clear();
    for (const member of list) members.set(member.session, member.data?.nick ?? "?");
    renderMembers();
  } catch (error) {
    notice(error.message);
  }
}

async function loadHistory() {
  const history = await client.request("chat.history", { room });
  for (const message of history.messages) addMessage(message, history.epoch);
}

// Messages are kept in offset order; an offset already shown is never shown twice.
function addMessage(message, messageEpoch) {
  const list = $("messages");
  if (epoch !== messageEpoch) {
    if (epoch !== undefined) list.replaceChildren();
    epoch = messageEpoch;
  }
  const offset = String(message.offset);
  if (list.querySelector(`li[data-offset="${offset}"]`)) return;
  const item = document.createElement("li");
  item.dataset.offset = offset;
  const who = document.createElement("span");
  who.className = "nick";
  who.textContent = message.nick;
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = message.text;
  const time = document.createElement("time");
  time.dateTime = new Date(message.at).toISOString();
  time.textContent = new Date(message.at).toLocaleTimeString();
  item.append(who, text, time);
  const after = [...list.children].find((li) => Number(li.dataset.offset) > message.offset);
  list.insertBefore(item, after ?? null);
  if (after === undefined) list.scrollTop = list.scrollHeight;
  typing.delete(message.nick);
  renderTyping();
}

function showTyping(who) {
  if (who === nick) return;
  clearTimeout(typing.get(who));
  typing.set(who, setTimeout(() => (typing.delete(who), renderTyping()), 3_000));
  renderTyping();
}

function renderTyping() {
  const names = [...typing.keys()];
  $("typing").textContent = names.length === 0
    ? ""
    : `${names.join(", ")} ${names.length === 1 ? "is" : "are"} typing…`;
}

function renderMembers() {
  const items = [...new Set(members.values())].sort().map((name) => {
    const item = document.createElement("li");
    item.textContent = name === nick ? `${name} (you)` : name;
    return item;
  });
  $("members").replaceChildren(...items);
}

function renderStatus(change) {
  const status = $("status");
  status.dataset.state = change.state;
  const reason = change.reason ? ` (${change.reason.replaceAll("_", " ")})` : "";
  status.textContent = `${change.state}${reason}`;
}

function notice(text) {
  $("notice").textContent = text;
}

const fromHash = decodeURIComponent(location.hash.slice(1));
if (/^[a-z0-9][a-z0-9-]{0,31}$/.test(fromHash)) $("room").value = fromHash;
