import Crypto

/// bcrypt_pbkdf, the key derivation OpenSSH uses for passphrase-protected private keys
/// ("kdfname bcrypt"): SHA-512 of the passphrase and of salt||counter, hashed with a Blowfish
/// "bcrypt_hash" `rounds` times, the outputs spread across the key.
enum BcryptPBKDF {
    static func derive(passphrase: [UInt8], salt: [UInt8], rounds: Int, keyLength: Int) -> [UInt8] {
        precondition(rounds >= 1 && keyLength > 0)
        let hashLength = 32
        let stride = (keyLength + hashLength - 1) / hashLength
        var amount = (keyLength + stride - 1) / stride
        let sha2pass = Array(SHA512.hash(data: passphrase))
        var key = [UInt8](repeating: 0, count: keyLength)
        var remaining = keyLength
        var count: UInt32 = 1
        while remaining > 0 {
            var countSalt = salt
            countSalt += [UInt8(count >> 24), UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff)]
            var sha2salt = Array(SHA512.hash(data: countSalt))
            var tmp = bcryptHash(sha2pass, sha2salt)
            var out = tmp
            if rounds > 1 {
                for _ in 1..<rounds {
                    sha2salt = Array(SHA512.hash(data: tmp))
                    tmp = bcryptHash(sha2pass, sha2salt)
                    for i in 0..<out.count { out[i] ^= tmp[i] }
                }
            }
            amount = min(amount, remaining)
            var i = 0
            while i < amount {
                let dest = i * stride + Int(count - 1)
                if dest >= keyLength { break }
                key[dest] = out[i]
                i += 1
            }
            remaining -= i
            count += 1
        }
        return key
    }

    static func bcryptHash(_ sha2pass: [UInt8], _ sha2salt: [UInt8]) -> [UInt8] {
        var state = Blowfish()
        state.expandState(data: sha2salt, key: sha2pass)
        for _ in 0..<64 {
            state.expand0State(key: sha2salt)
            state.expand0State(key: sha2pass)
        }
        let magic = Array("OxychromaticBlowfishSwatDynamite".utf8)
        var cdata = [UInt32](repeating: 0, count: 8)
        var j = 0
        for i in 0..<8 { cdata[i] = Blowfish.streamWord(magic, &j) }
        for _ in 0..<64 {
            var i = 0
            while i < 8 {
                var l = cdata[i], r = cdata[i + 1]
                state.encipher(&l, &r)
                cdata[i] = l; cdata[i + 1] = r
                i += 2
            }
        }
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<8 {
            out[4 * i + 3] = UInt8(cdata[i] >> 24)
            out[4 * i + 2] = UInt8((cdata[i] >> 16) & 0xff)
            out[4 * i + 1] = UInt8((cdata[i] >> 8) & 0xff)
            out[4 * i] = UInt8(cdata[i] & 0xff)
        }
        return out
    }
}
