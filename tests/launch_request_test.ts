import { assert, assertEquals, assertThrows } from "./assert.ts";
import {
  checksumAddress,
  launchedSymbol,
  LaunchFieldError,
  type LaunchFields,
  launchPostContent,
  validateLaunch,
} from "../src/launching/launch_request.ts";

const VALID: LaunchFields = {
  name: "Skill Keeper",
  symbol: "keep",
  wallet: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
  description: "Governance token of the Clawstr skill keeper.",
  image: "https://example.com/keeper.png",
};

Deno.test("addresses are checksummed as EIP-55's own examples say", () => {
  for (
    const address of [
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
      "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
      "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
      "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]
  ) {
    assertEquals(checksumAddress(address.toLowerCase()), address);
  }
});

Deno.test("a valid launch becomes a !clawnch post with one key: value per line, the symbol upper-cased", () => {
  const content = launchPostContent(validateLaunch({ ...VALID, website: "https://keeper.example.org" }));
  assertEquals(content.split("\n"), [
    "!clawnch",
    "name: Skill Keeper",
    "symbol: KEEP",
    "wallet: 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "description: Governance token of the Clawstr skill keeper.",
    "image: https://example.com/keeper.png",
    "website: https://keeper.example.org",
  ]);
});

Deno.test("an all-lower-case wallet carries no checksum and passes; one mistyped mixed-case character fails", () => {
  validateLaunch({ ...VALID, wallet: VALID.wallet!.toLowerCase() });
  const typo = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
  const error = assertThrows(() => validateLaunch({ ...VALID, wallet: typo }), LaunchFieldError);
  assertEquals(error.problems.map((p) => p.field), ["wallet"]);
  assert(error.message.includes("EIP-55"), error.message);
});

Deno.test("every bad field is named at once: short wallet, long symbol, missing image, long description", () => {
  const error = assertThrows(
    () =>
      validateLaunch({
        ...VALID,
        wallet: "0x1234",
        symbol: "X".repeat(33),
        image: undefined,
        description: "d".repeat(1001),
        twitter: "not a handle!",
      }),
    LaunchFieldError,
  );
  assertEquals(error.problems.map((p) => p.field).sort(), ["description", "image", "symbol", "twitter", "wallet"]);
});

Deno.test("an image must be a direct https image URL, and no field may break the line format", () => {
  for (const image of ["http://example.com/a.png", "https://example.com/page", "ftp://x/a.png"]) {
    const error = assertThrows(() => validateLaunch({ ...VALID, image }), LaunchFieldError);
    assertEquals(error.problems.map((p) => p.field), ["image"]);
  }
  const error = assertThrows(() => validateLaunch({ ...VALID, name: "Keeper\nsymbol: EVIL" }), LaunchFieldError);
  assertEquals(error.problems.map((p) => p.field), ["name"]);
});

Deno.test("an earlier launch post is recognised by its symbol, whatever its spacing and case; other posts are not", () => {
  assertEquals(launchedSymbol(launchPostContent(validateLaunch(VALID))), "KEEP");
  assertEquals(launchedSymbol("gm\r\n!CLAWNCH\r\nname: X\r\nSymbol :  keep \r\n"), "KEEP");
  assertEquals(launchedSymbol("talking about !clawnch here\nsymbol: KEEP"), undefined);
  assertEquals(launchedSymbol("!clawnch\nname: no symbol"), undefined);
});
