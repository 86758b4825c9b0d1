// Loopback engines that answer after fixed delays, so that bench/voice_calls.py fixed-delay can
// take them out of voice-to-voice and measure what is left: Parley's own share.
//
//   node server.mjs [--recognizer-ms 100] [--first-token-ms 200] [--first-audio-ms 100]
//
// Prints {"port": N} once listening on 127.0.0.1 (a port the system chose), then serves:
// - WebSocket /v1/listen: a streaming recognizer in Deepgram's live shape. It takes the audio
//   and recognizes nothing: when Parley sends CloseStream (its endpoint), it sends one final
//   Results message --recognizer-ms later, then Metadata, then closes.
// - POST /v1/chat/completions: an OpenAI-compatible chat model that streams. The first token
//   comes --first-token-ms after the request; the rest follows at once. Its answer depends only
//   on how many callee messages the conversation holds: three questions the sandbox's qualified
//   person answers, then a goodbye with end_call. Each answer's first sentence is new.
// - POST /v1/audio/speech: an OpenAI-compatible speech model answering "pcm" (24 kHz, 16-bit):
//   the first 100 ms of audio come --first-audio-ms after the request, the rest at once; a
//   sentence lasts 65 ms per character, a tone loud enough for the callee's side to hear.
// - GET /stats: how late this server itself was, so that its own delays under load are not
//   taken for Parley's: for each kind of answer, how much later than its fixed delay it went out
//   (p50, p95, max in ms), and the event loop's delay.
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';

const args = process.argv.slice(2);
const option = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
};
const recognizerMs = option('--recognizer-ms', 100);
const firstTokenMs = option('--first-token-ms', 200);
const firstAudioMs = option('--first-audio-ms', 100);

// Each answer's first sentence is new (it carries a serial number), so Parley's speech cache
// never has it and the speech model's delay is in every answer.
const answers = [
    'What is your budget range?',
    'What timeline do you have in mind?',
    'What is your company size?',
];
const goodbye = 'Thanks for your time, goodbye.';
let serial = 0;

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const lateness = { recognizer: [], chat: [], speech: [] };
// Runs `f` after `ms`, noting how much later than that it ran.
function after(kind, ms, f) {
    const due = performance.now() + ms;
    setTimeout(() => {
        lateness[kind].push(performance.now() - due);
        f();
    }, ms);
}
function stats() {
    const summary = (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
        return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.length ? sorted[sorted.length - 1] : 0 };
    };
    const out = { loop_delay_ms: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6,
                                   max: loopDelay.max / 1e6 } };
    for (const [kind, values] of Object.entries(lateness)) out[kind] = summary(values);
    return out;
}

function sse(res, chunk) {
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
}

function delta(d, finish = null) {
    return { id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'agent',
             choices: [{ index: 0, delta: d, finish_reason: finish }] };
}

function chat(body, res) {
    const callee = (body.messages || []).filter((m) => m.role === 'user').length;
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    after('chat', firstTokenMs, () => {
        const say = `Noted as ${++serial}. ` + (callee <= answers.length ? answers[callee - 1] : goodbye);
        sse(res, delta({ role: 'assistant', content: '' }));
        for (const word of say.split(/(?<= )/)) sse(res, delta({ content: word }));
        if (callee <= answers.length) {
            sse(res, delta({}, 'stop'));
        } else {
            sse(res, delta({ tool_calls: [{ index: 0, id: 'end', type: 'function',
                                            function: { name: 'end_call', arguments: '{"reason": "completed"}' } }] }));
            sse(res, delta({}, 'tool_calls'));
        }
        res.end('data: [DONE]\n\n');
    });
}

const kRate = 24000;
// Twenty seconds of a 300 Hz tone (a whole number of periods per 100 ms), cut to each sentence.
const tone = Buffer.alloc(20 * kRate * 2);
for (let i = 0; i < tone.length / 2; i++) tone.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / kRate)), i * 2);
function speech(body, res) {
    const samples = Math.max(kRate / 10, Math.round((String(body.input || '').length * 65 * kRate) / 1000));
    const audio = tone.subarray(0, Math.min(tone.length, samples * 2));
    res.writeHead(200, { 'Content-Type': 'audio/pcm' });
    after('speech', firstAudioMs, () => {
        res.write(audio.subarray(0, (kRate / 10) * 2));
        res.end(audio.subarray((kRate / 10) * 2));
    });
}

const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stats()));
        return;
    }
    let text = '';
    req.on('data', (d) => { text += d; });
    req.on('end', () => {
        let body;
        try {
            body = JSON.parse(text);
        } catch {
            res.writeHead(400).end('not JSON');
            return;
        }
        if (req.url === '/v1/chat/completions') return chat(body, res);
        if (req.url === '/v1/audio/speech') return speech(body, res);
        res.writeHead(404).end();
    });
});

const recognizer = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
server.on('upgrade', (req, socket, head) => {
    if (!req.url.startsWith('/v1/listen')) return socket.destroy();
    recognizer.handleUpgrade(req, socket, head, (ws) => {
        let seconds = 0;
        ws.on('message', (data, binary) => {
            if (binary) {
                seconds += data.length / 16000;
                return;
            }
            if (!String(data).includes('CloseStream')) return;
            after('recognizer', recognizerMs, () => {
                if (ws.readyState !== ws.OPEN) return;
                ws.send(JSON.stringify({ type: 'Results', is_final: true, speech_final: true, duration: seconds,
                                         channel: { alternatives: [{ transcript: 'about fifty thousand', confidence: 0.9 }] } }));
                ws.send(JSON.stringify({ type: 'Metadata', duration: seconds }));
                ws.close(1000);
            });
        });
        ws.on('error', () => {});
    });
});

server.listen(0, '127.0.0.1', () => {
    console.log(JSON.stringify({ port: server.address().port }));
});
