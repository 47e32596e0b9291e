/** The chat panel's DOM: the user list and the message list, written with `textContent` only. */

export interface ChatView {
  showUsers(users: readonly string[], me: string): void;
  /** A message from `name`. */
  say(name: string, text: string, date: number): void;
  /** A line from the page itself (sign-ins, renames, connection news). */
  notice(text: string): void;
}

const MAX_LINES = 300;

/** The chat view over the page's user list and message list. */
export function createChatView(users: HTMLElement, messages: HTMLElement): ChatView {
  const add = (line: HTMLElement) => {
    messages.append(line);
    while (messages.childElementCount > MAX_LINES) messages.firstElementChild?.remove();
    messages.scrollTop = messages.scrollHeight;
  };
  return {
    showUsers(list, me) {
      users.replaceChildren(
        ...list.map((name) => {
          const item = document.createElement('li');
          item.textContent = name;
          if (name === me) item.className = 'me';
          return item;
        }),
      );
    },
    say(name, text, date) {
      const line = document.createElement('li');
      const time = document.createElement('time');
      time.textContent = new Date(date).toLocaleTimeString();
      const who = document.createElement('b');
      who.textContent = name;
      line.append(time, who, document.createTextNode(text));
      add(line);
    },
    notice(text) {
      const line = document.createElement('li');
      line.className = 'notice';
      line.textContent = text;
      add(line);
    },
  };
}
