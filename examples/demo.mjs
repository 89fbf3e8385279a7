// Placeholder: the real demo is written later.
console.log("demo placeholder");
