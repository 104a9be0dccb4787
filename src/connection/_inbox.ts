import type { Message } from "../protocol/message.ts";

// Taken messages at the front of the queue are cut off once there are this many and they are at
// least half of it, so that a queue that never empties does not grow without end.
const _COMPACT_AT = 1024;

/**
 * @internal Messages waiting for the application, for connections that receive them one at a
 * time from a platform `WebSocket` (the native engine and the browser client): a queue with the
 * pull-driven `readable` and the async iterator of `WebSocketConnection` on top. A waiting reader
 * gets the next message handed over directly, with no queueing and no promise beyond its own.
 */
export class _Inbox {
  #queue: (Message | undefined)[] = [];
  #head = 0;
  #bytes = 0;
  #ended = false;
  #consumer: ((message: Message | null) => void) | null = null;
  #readable: ReadableStream<Message> | undefined;

  /** Payload bytes (UTF-16 units for text) waiting to be taken. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Queues a message for the application, or hands it to the reader waiting for one. */
  push(message: Message): void {
    const consumer = this.#consumer;
    if (consumer !== null) {
      // A reader waits only while the queue is empty, so the order is kept.
      this.#consumer = null;
      consumer(message);
      return;
    }
    this.#queue.push(message);
    this.#bytes += message.data.length;
  }

  /** No more messages will come: once the queue is taken, the readers end. */
  end(): void {
    this.#ended = true;
    const consumer = this.#consumer;
    this.#consumer = null;
    consumer?.(null);
  }

  /** The next queued message, if any, without waiting. */
  shift(): Message | undefined {
    const queue = this.#queue;
    const head = this.#head;
    if (head === queue.length) return undefined;
    const message = queue[head]!;
    this.#bytes -= message.data.length;
    if (head + 1 === queue.length) {
      queue.length = 0;
      this.#head = 0;
    } else {
      queue[head] = undefined;
      this.#head = head + 1;
      if (this.#head >= _COMPACT_AT && this.#head * 2 >= queue.length) {
        this.#queue = queue.slice(this.#head);
        this.#head = 0;
      }
    }
    return message;
  }

  /**
   * The next message, waiting for one if none is queued: `consumer` is called with it (once),
   * or with `null` once the inbox has ended and is empty. One reader at a time.
   */
  next(consumer: (message: Message | null) => void): void {
    const message = this.shift();
    if (message !== undefined) consumer(message);
    else if (this.#ended) consumer(null);
    else this.#consumer = consumer;
  }

  /** The messages as a pull-driven stream (one per inbox), made on first use. */
  get readable(): ReadableStream<Message> {
    this.#readable ??= new ReadableStream<Message>({
      pull: (controller) =>
        new Promise<void>((resolve) =>
          this.next((message) => {
            if (message === null) controller.close();
            else controller.enqueue(message);
            resolve();
          })
        ),
    }, { highWaterMark: 0 });
    return this.#readable;
  }

  /** An iterator over the messages until the inbox ends. */
  iterator(): AsyncIterator<Message> {
    return new _InboxIterator(this);
  }
}

class _InboxIterator implements AsyncIterator<Message> {
  readonly #inbox: _Inbox;

  constructor(inbox: _Inbox) {
    this.#inbox = inbox;
  }

  next(): Promise<IteratorResult<Message>> {
    const message = this.#inbox.shift();
    if (message !== undefined) return Promise.resolve({ done: false, value: message });
    return new Promise((resolve) => this.#inbox.next((next) => resolve(_result(next))));
  }

  return(): Promise<IteratorResult<Message>> {
    return Promise.resolve({ done: true, value: undefined });
  }
}

function _result(message: Message | null): IteratorResult<Message> {
  return message === null ? { done: true, value: undefined } : { done: false, value: message };
}
