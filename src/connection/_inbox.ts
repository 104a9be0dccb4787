import type { Message } from "../protocol/message.ts";

/**
 * @internal Messages waiting for the application, for connections that receive them one at a
 * time from a platform `WebSocket` (the native engine and the browser client): a queue taken as a
 * batch, with the pull-driven `readable` and the async iterator of `WebSocketConnection` on top.
 */
export class _Inbox {
  #queue: Message[] = [];
  #bytes = 0;
  #ended = false;
  #consumer: (() => void) | null = null;
  #readable: ReadableStream<Message> | undefined;

  /** Payload bytes (UTF-16 units for text) waiting to be taken. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Queues a message for the application. */
  push(message: Message): void {
    this.#queue.push(message);
    this.#bytes += message.data.length;
    this.#wake();
  }

  /** No more messages will come: once the queue is taken, the readers end. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Every queued message, waiting for one if none is; `null` once ended and empty. */
  async take(): Promise<Message[] | null> {
    while (this.#queue.length === 0) {
      if (this.#ended) return null;
      await new Promise<void>((resolve) => (this.#consumer = resolve));
    }
    const batch = this.#queue;
    this.#queue = [];
    this.#bytes = 0;
    return batch;
  }

  /** The messages as a pull-driven stream (one per inbox). */
  get readable(): ReadableStream<Message> {
    this.#readable ??= new ReadableStream<Message>({
      pull: async (controller) => {
        const batch = await this.take();
        if (batch === null) controller.close();
        else for (const message of batch) controller.enqueue(message);
      },
    }, { highWaterMark: 0 });
    return this.#readable;
  }

  /** An iterator over the messages until the inbox ends. */
  iterator(): AsyncIterator<Message> {
    let batch: Message[] = [];
    let index = 0;
    return {
      next: async (): Promise<IteratorResult<Message>> => {
        while (index >= batch.length) {
          const next = await this.take();
          if (next === null) return { done: true, value: undefined };
          batch = next;
          index = 0;
        }
        return { done: false, value: batch[index++]! };
      },
      return: (): Promise<IteratorResult<Message>> => {
        batch = [];
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  #wake(): void {
    const consumer = this.#consumer;
    this.#consumer = null;
    consumer?.();
  }
}
