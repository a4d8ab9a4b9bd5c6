/** Both decorator modes in one run: each folder has the jest.config.js of one mode. */
module.exports = { projects: ['<rootDir>/standard', '<rootDir>/legacy'] };
