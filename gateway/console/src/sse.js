// Reads a text/event-stream body incrementally (fetch + ReadableStream): yields the parsed JSON
// of each `data:` event as it arrives and returns at `data: [DONE]` or at the end of the body.
// Multi-line events (several data: lines) are joined with '\n' as the SSE format says.
export async function* readSse(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let data = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let newline;
      while ((newline = buffer.search(/\r?\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(buffer[newline] === '\r' ? newline + 2 : newline + 1);
        if (line === '') {  // end of one event
          if (data.length) {
            const text = data.join('\n');
            data = [];
            if (text === '[DONE]') return;
            yield JSON.parse(text);
          }
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line[5] === ' ' ? 6 : 5));
        }  // comments (':') and other fields (event:, id:, retry:) are not used by the gateway
      }
    }
    if (data.length && data.join('\n') !== '[DONE]') yield JSON.parse(data.join('\n'));
  } finally {
    reader.cancel().catch(() => {});
  }
}
